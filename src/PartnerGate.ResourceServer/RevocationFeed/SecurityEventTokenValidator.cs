using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>The outcome of checking one SET: its claims when valid, otherwise why not (never the token itself, which must not be logged).</summary>
internal readonly record struct SetValidationResult(JsonElement? Payload, string? Failure, bool UnknownKey)
{
    public bool IsValid => Payload is not null;
}

/// <summary>
/// Verifies Security Event Tokens (RFC 8417) from the portal: signed by a key of its JWKS with ES256 or PS256,
/// <c>typ</c> secevent+jwt (so an access token or ID token replayed into the stream is refused), issued by the
/// portal's discovery issuer, for this stream's audience. SETs carry no <c>exp</c>; their freshness comes from
/// <c>pg_seq</c> ordering instead.
/// </summary>
internal static class SecurityEventTokenValidator
{
    public const string SetType = "secevent+jwt";

    private static readonly JsonWebTokenHandler Handler = new();

    public static async Task<SetValidationResult> ValidateAsync(string token, string issuer, string audience, IEnumerable<SecurityKey> keys)
    {
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateIssuer = true,
            ValidAudience = audience,
            ValidateAudience = true,
            IgnoreTrailingSlashWhenValidatingAudience = false,
            IssuerSigningKeys = keys,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            ValidAlgorithms = [.. PartnerGateResourceServerDefaults.Algorithms],
            ValidTypes = [SetType, "application/" + SetType],
            ValidateLifetime = false,
            RequireExpirationTime = false,
            TryAllIssuerSigningKeys = false,
        };

        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            // The exception's type names the rule that failed; its message may quote claims, so it is not passed on.
            var failure = result.Exception?.GetType().Name ?? "invalid";
            return new SetValidationResult(null, failure, result.Exception is SecurityTokenSignatureKeyNotFoundException);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        return new SetValidationResult(payload.RootElement.Clone(), null, false);
    }
}
