namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>The <c>TokenService</c> configuration section.</summary>
public sealed class TokenServiceOptions
{
    public const string Section = "TokenService";

    /// <summary>The issuer (<c>iss</c>); when empty, the address the request came in on.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// Production signing certificates (PFX files with private keys). When any is set, the database key ring
    /// is not used; list the next certificate beside the current one to roll over (the one with the latest
    /// valid start signs, all valid ones are published).
    /// </summary>
    public List<CertificateFile> SigningCertificates { get; set; } = [];

    /// <summary>The certificate that encrypts authorization codes and refresh tokens, with <see cref="SigningCertificates"/>.</summary>
    public CertificateFile? EncryptionCertificate { get; set; }

    /// <summary>How long a database-generated key signs before its successor takes over.</summary>
    public int KeyRotationDays { get; set; } = 90;

    /// <summary>How long a successor key sits in the JWKS before it signs, so resource servers have cached it.</summary>
    public int KeyPrepublishDays { get; set; } = 7;

    /// <summary>How long a refresh token lives at most (always capped by its grant).</summary>
    public int RefreshTokenLifetimeHours { get; set; } = 24 * 14;

    /// <summary>
    /// The audience a partner IdP must put in a workload token for it to be exchanged here (RFC 8693); when empty,
    /// the issuer (<see cref="Issuer"/>, or the address the request came in on, e.g. <c>https://partnergate.example/</c>).
    /// Compared exactly, trailing slash included.
    /// </summary>
    public string? WorkloadAudience { get; set; }

    /// <summary>Allow http:// (Development and tests only; behind TLS termination set <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>).</summary>
    public bool AllowInsecureHttp { get; set; }

    public TimeSpan KeyRotation => TimeSpan.FromDays(Math.Max(1, KeyRotationDays));
    public TimeSpan KeyPrepublish => TimeSpan.FromDays(Math.Clamp(KeyPrepublishDays, 0, Math.Max(0, KeyRotationDays - 1)));
    public TimeSpan RefreshTokenLifetime => TimeSpan.FromHours(Math.Max(1, RefreshTokenLifetimeHours));

    /// <summary>
    /// How long after a key stops signing it stays published: every token it signed has expired by then.
    /// Refresh tokens and codes are signed too, so the longest-lived token decides.
    /// </summary>
    public TimeSpan KeyRetention => RefreshTokenLifetime + TimeSpan.FromDays(1);
}

public sealed class CertificateFile
{
    public string Path { get; set; } = string.Empty;
    public string? Password { get; set; }
}
