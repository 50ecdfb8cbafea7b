using System.Text.Json;

namespace PartnerGate.ResourceServer.RevocationFeed;

internal enum FeedSubjectKind
{
    Grant,
    Client,
    Partner,
}

/// <summary>
/// What one verified SET says: a subject (grant, client or partner) is blocked or not, as of the transmitter's
/// sequence <see cref="Sequence"/>. <see cref="NotAfter"/> is the grant's end, after which no token of it is valid anyway.
/// </summary>
internal sealed record FeedEvent(FeedSubjectKind Kind, string SubjectId, long Sequence, bool Blocked, DateTimeOffset? NotAfter)
{
    public const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    public const string TokenClaimsChange = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change";
    public const string Verification = "https://schemas.openid.net/secevent/ssf/event-type/verification";

    /// <summary>
    /// Reads a verified SET's claims. Returns null for a SET that changes nothing here (verification, an event type
    /// or claim this client does not know); throws <see cref="FormatException"/> for one that is malformed.
    /// </summary>
    public static FeedEvent? FromPayload(JsonElement payload)
    {
        if (!payload.TryGetProperty("pg_seq", out var sequenceElement) || !sequenceElement.TryGetInt64(out var sequence))
        {
            throw new FormatException("The SET has no numeric pg_seq.");
        }

        if (!payload.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The SET has no events object.");
        }

        if (!payload.TryGetProperty("sub_id", out var subject) || subject.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The SET has no sub_id object.");
        }

        if (events.TryGetProperty(SessionRevoked, out var revoked))
        {
            var grantId = Member(subject, "session") ?? throw new FormatException("A session-revoked SET names no session (grant).");
            return new FeedEvent(FeedSubjectKind.Grant, CanonicalGuid(grantId), sequence, Blocked: true, GrantNotAfter(revoked));
        }

        if (!events.TryGetProperty(TokenClaimsChange, out var change))
        {
            return null;
        }

        if (!change.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A token-claims-change SET has no claims object.");
        }

        if (claims.TryGetProperty("grant_status", out var grantStatus))
        {
            var grantId = Member(subject, "session") ?? throw new FormatException("A grant_status change names no session (grant).");
            return new FeedEvent(FeedSubjectKind.Grant, CanonicalGuid(grantId), sequence, !IsActive(grantStatus), GrantNotAfter(change));
        }

        if (claims.TryGetProperty("client_status", out var clientStatus))
        {
            var clientId = Member(subject, "application") ?? throw new FormatException("A client_status change names no application (client).");
            return new FeedEvent(FeedSubjectKind.Client, clientId, sequence, !IsActive(clientStatus), null);
        }

        if (claims.TryGetProperty("partner_status", out var partnerStatus))
        {
            var partnerId = Member(subject, "tenant") ?? throw new FormatException("A partner_status change names no tenant (partner).");
            return new FeedEvent(FeedSubjectKind.Partner, CanonicalGuid(partnerId), sequence, !IsActive(partnerStatus), null);
        }

        return null;
    }

    // Anything but an explicit "active" blocks: an unknown status must not let a token through.
    private static bool IsActive(JsonElement status) => status.ValueKind == JsonValueKind.String && status.GetString() == "active";

    private static string? Member(JsonElement subject, string name) =>
        subject.TryGetProperty(name, out var member) && member.ValueKind == JsonValueKind.Object
            && member.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(id.GetString())
            ? id.GetString()
            : null;

    private static DateTimeOffset? GrantNotAfter(JsonElement eventBody) =>
        eventBody.TryGetProperty("grant_not_after", out var notAfter) && notAfter.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static string CanonicalGuid(string value) =>
        Guid.TryParse(value, out var id) ? id.ToString("D") : throw new FormatException("A grant or partner id in a SET is not a GUID.");
}
