namespace PartnerGate.Data;

/// <summary>
/// One key of the token service's key ring: signing keys (ES256, PS256) and the key that encrypts
/// authorization codes and refresh tokens. The private key is stored protected by Data Protection; when
/// Data Protection's own key ring is encrypted with a certificate (<c>DataProtection:CertificatePath</c>),
/// a copy of the database alone does not let anyone mint tokens.
/// </summary>
/// <remarks>
/// Rollover: a key is published in the JWKS from <see cref="PublishAt"/>, signs from <see cref="ActivateAt"/>
/// (later, so resource servers have fetched it before they see it), stops signing at <see cref="RetireAt"/>
/// and leaves the JWKS at <see cref="RemoveAt"/>, once every token it signed has expired.
/// </remarks>
public sealed class SigningKey
{
    public Guid Id { get; set; }

    /// <summary>The JWK <c>kid</c>.</summary>
    public string KeyId { get; set; } = string.Empty;

    /// <summary>JWA name: <c>ES256</c>, <c>PS256</c>, or <c>RSA-OAEP</c> for the encryption key.</summary>
    public string Algorithm { get; set; } = string.Empty;

    /// <summary><c>sig</c> or <c>enc</c>.</summary>
    public string Use { get; set; } = string.Empty;

    /// <summary>The PKCS#8 private key, base64, protected by Data Protection.</summary>
    public string ProtectedPrivateKey { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset PublishAt { get; set; }
    public DateTimeOffset ActivateAt { get; set; }
    public DateTimeOffset RetireAt { get; set; }
    public DateTimeOffset RemoveAt { get; set; }
}
