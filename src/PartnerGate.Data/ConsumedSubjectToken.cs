namespace PartnerGate.Data;

/// <summary>
/// A partner IdP's token already exchanged at the token endpoint (RFC 8693): a second exchange of the same
/// <c>jti</c> from the same issuer is a replay and is refused. Kept until the token has expired; after that
/// its own <c>exp</c> refuses it anyway.
/// </summary>
public sealed class ConsumedSubjectToken
{
    /// <summary>Lower-case hex SHA-256 of <c>iss</c>, a line feed and <c>jti</c>: fixed length whatever the issuer sends.</summary>
    public string Id { get; set; } = string.Empty;
    public DateTimeOffset ConsumedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
