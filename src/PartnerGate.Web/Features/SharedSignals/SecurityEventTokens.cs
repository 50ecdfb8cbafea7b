using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using PartnerGate.Data;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// The claims of a Security Event Token (RFC 8417) for one feed entry, shaped as the revocation-feed protocol
/// says (CAEP session-revoked / token-claims-change, complex sub_id). Kept apart from signing so the shapes
/// can be checked without keys.
/// </summary>
public static class SecurityEventClaims
{
    public static Dictionary<string, object> For(SecurityEvent securityEvent, long feedSequence, string tokenId)
    {
        var timestamp = securityEvent.OccurredAt.ToUnixTimeSeconds();
        var payload = new Dictionary<string, object>
        {
            ["event_timestamp"] = timestamp,
            ["initiating_entity"] = securityEvent.InitiatingEntity,
        };
        if (!string.IsNullOrWhiteSpace(securityEvent.Reason))
        {
            payload["reason_admin"] = new Dictionary<string, object> { ["en"] = securityEvent.Reason };
        }

        Dictionary<string, object> subject;
        switch (securityEvent.Kind)
        {
            case SecurityEventKind.GrantRevoked or SecurityEventKind.GrantSuspended or SecurityEventKind.GrantResumed:
                subject = Complex(("session", securityEvent.SubjectId), ("tenant", securityEvent.PartnerId?.ToString()));
                if (securityEvent.Kind == SecurityEventKind.GrantResumed)
                {
                    payload["claims"] = new Dictionary<string, object> { ["grant_status"] = "active" };
                }
                else
                {
                    payload["grant_status"] = securityEvent.Kind == SecurityEventKind.GrantRevoked ? "revoked" : "suspended";
                }

                if (securityEvent.Until is { } notAfter)
                {
                    payload["grant_not_after"] = notAfter.ToUnixTimeSeconds();
                }

                break;
            case SecurityEventKind.ClientDisabled or SecurityEventKind.ClientEnabled:
                subject = Complex(("application", securityEvent.SubjectId), ("tenant", securityEvent.PartnerId?.ToString()));
                payload["claims"] = new Dictionary<string, object>
                {
                    ["client_status"] = securityEvent.Kind == SecurityEventKind.ClientDisabled ? "disabled" : "active",
                };
                break;
            default:
                subject = Complex(("tenant", securityEvent.SubjectId));
                payload["claims"] = new Dictionary<string, object>
                {
                    ["partner_status"] = securityEvent.Kind == SecurityEventKind.PartnerSuspended ? "suspended" : "active",
                };
                break;
        }

        return new Dictionary<string, object>
        {
            ["iat"] = timestamp,
            ["jti"] = tokenId,
            ["pg_seq"] = feedSequence,
            ["sub_id"] = subject,
            ["events"] = new Dictionary<string, object> { [SharedSignalsProtocol.EventTypeOf(securityEvent.Kind)] = payload },
        };
    }

    /// <summary>SSF §8.1.4: the verification event names the stream and echoes the receiver's state.</summary>
    public static Dictionary<string, object> ForVerification(string streamId, string? state, long feedSequence, DateTimeOffset now)
    {
        var payload = new Dictionary<string, object>();
        if (state is not null)
        {
            payload["state"] = state;
        }

        return new Dictionary<string, object>
        {
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = "verification-" + Guid.NewGuid().ToString("N"),
            ["pg_seq"] = feedSequence,
            ["sub_id"] = new Dictionary<string, object> { ["format"] = "opaque", ["id"] = streamId },
            ["events"] = new Dictionary<string, object> { [SharedSignalsProtocol.Verification] = payload },
        };
    }

    private static Dictionary<string, object> Complex(params (string Member, string? Id)[] members)
    {
        var subject = new Dictionary<string, object> { ["format"] = "complex" };
        foreach (var (member, id) in members)
        {
            if (id is not null)
            {
                subject[member] = new Dictionary<string, object> { ["format"] = "opaque", ["id"] = id };
            }
        }

        return subject;
    }
}

/// <summary>
/// Signs SETs with the token service's current signing key, so receivers verify them with the same JWKS as access
/// tokens (one key set, one rotation).
/// </summary>
public sealed class SecurityEventTokenWriter(IOptionsMonitor<OpenIddictServerOptions> serverOptions)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string Write(string issuer, string audience, Dictionary<string, object> claims)
    {
        var token = new Dictionary<string, object>(claims)
        {
            ["iss"] = issuer,
            ["aud"] = audience,
        };
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = token,
            SigningCredentials = CurrentCredentials(),
            TokenType = SharedSignalsProtocol.SecurityEventTokenType,
        });
    }

    public string Write(string issuer, string audience, SecurityEvent securityEvent) =>
        Write(issuer, audience, SecurityEventClaims.For(securityEvent, securityEvent.Sequence, securityEvent.Id.ToString()));

    /// <summary>The first credential of the token service that signs with an algorithm receivers accept (ES256 or PS256).</summary>
    private SigningCredentials CurrentCredentials() =>
        serverOptions.CurrentValue.SigningCredentials.FirstOrDefault(c => c.Algorithm is SigningKeyRing.Es256 or SecurityAlgorithms.RsaSsaPssSha256)
        ?? throw new InvalidOperationException("The token service has no ES256 or PS256 signing key.");
}

/// <summary>
/// The issuer the SETs carry and the configuration document names: the token service's configured issuer, or — as
/// OpenIddict does when none is configured — the address the request came in on. Background delivery (push) has no
/// request, so it uses the configured issuer or the one this node last answered with.
/// </summary>
public sealed class SharedSignalsIssuer(IOptionsMonitor<OpenIddictServerOptions> serverOptions)
{
    private volatile Uri? lastSeen;

    public Uri For(HttpContext context)
    {
        var issuer = serverOptions.CurrentValue.Issuer ?? BaseUriOf(context.Request);
        lastSeen = issuer;
        return issuer;
    }

    /// <summary>For work outside a request; null until the issuer is configured or a request told this node its address.</summary>
    public Uri? ForBackground() => serverOptions.CurrentValue.Issuer ?? lastSeen;

    public static Uri BaseUriOf(HttpRequest request) =>
        new($"{request.Scheme}://{request.Host}{request.PathBase}/", UriKind.Absolute);

    public Uri JwksUriFor(HttpContext context) =>
        new(For(context), TokenServiceRegistration.JwksEndpoint.TrimStart('/'));
}
