using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace PartnerGate.UnitTests.ResourceServer;

/// <summary>Security Event Tokens shaped as the portal sends them (common.md, "The revocation-feed protocol"), signed with keys the test holds.</summary>
internal static class TestSets
{
    public const string Issuer = "http://127.0.0.1:5080/";
    public const string Audience = "supply-network-api";
    public const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    public const string TokenClaimsChange = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change";

    public static Dictionary<string, object> GrantRevoked(Guid grantId, Guid partnerId, long sequence, DateTimeOffset notAfter, string status = "revoked") =>
        Payload(sequence,
            new { format = "complex", session = new { format = "opaque", id = grantId.ToString() }, tenant = new { format = "opaque", id = partnerId.ToString() } },
            SessionRevoked,
            new Dictionary<string, object>
            {
                ["event_timestamp"] = 1_700_000_000,
                ["initiating_entity"] = "user",
                ["reason_admin"] = new { en = "Contract ended" },
                ["grant_status"] = status,
                ["grant_not_after"] = notAfter.ToUnixTimeSeconds(),
            });

    public static Dictionary<string, object> GrantResumed(Guid grantId, Guid partnerId, long sequence, DateTimeOffset notAfter) =>
        Payload(sequence,
            new { format = "complex", session = new { format = "opaque", id = grantId.ToString() }, tenant = new { format = "opaque", id = partnerId.ToString() } },
            TokenClaimsChange,
            new Dictionary<string, object>
            {
                ["event_timestamp"] = 1_700_000_000,
                ["initiating_entity"] = "policy",
                ["claims"] = new { grant_status = "active" },
                ["grant_not_after"] = notAfter.ToUnixTimeSeconds(),
            });

    public static Dictionary<string, object> ClientStatus(string clientId, Guid partnerId, long sequence, string status) =>
        Payload(sequence,
            new { format = "complex", application = new { format = "opaque", id = clientId }, tenant = new { format = "opaque", id = partnerId.ToString() } },
            TokenClaimsChange,
            new Dictionary<string, object> { ["event_timestamp"] = 1_700_000_000, ["initiating_entity"] = "admin", ["claims"] = new { client_status = status } });

    public static Dictionary<string, object> PartnerStatus(Guid partnerId, long sequence, string status) =>
        Payload(sequence,
            new { format = "complex", tenant = new { format = "opaque", id = partnerId.ToString() } },
            TokenClaimsChange,
            new Dictionary<string, object> { ["event_timestamp"] = 1_700_000_000, ["initiating_entity"] = "admin", ["claims"] = new { partner_status = status } });

    public static JsonElement Json(Dictionary<string, object> payload) => JsonSerializer.SerializeToElement(payload);

    public static string SignEs256(ECDsa key, string kid, Dictionary<string, object> payload, string typ = "secevent+jwt") =>
        Sign(new { alg = "ES256", kid, typ }, payload, data => key.SignData(data, HashAlgorithmName.SHA256));

    public static string Sign(object header, Dictionary<string, object> payload, Func<byte[], byte[]> sign)
    {
        var signingInput = Base64UrlEncoder.Encode(JsonSerializer.Serialize(header)) + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload));
        return signingInput + "." + Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    private static Dictionary<string, object> Payload(long sequence, object subject, string eventType, Dictionary<string, object> body) => new()
    {
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["iat"] = 1_700_000_000,
        ["jti"] = Guid.NewGuid().ToString(),
        ["pg_seq"] = sequence,
        ["sub_id"] = subject,
        ["events"] = new Dictionary<string, object> { [eventType] = body },
    };
}
