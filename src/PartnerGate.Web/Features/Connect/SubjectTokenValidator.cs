using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Federation;

namespace PartnerGate.Web.Features.Connect;

/// <summary>A partner IdP's workload token that passed every check: what the exchange needs of it.</summary>
public sealed record ValidatedSubjectToken(string Issuer, string Subject, string TokenId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>The replay key (<see cref="Data.ConsumedSubjectToken.Id"/>): lower-case hex SHA-256 of the issuer, a line feed and the <c>jti</c>.</summary>
    public string ReplayKey => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Issuer + "\n" + TokenId)));
}

/// <summary>
/// Checks a subject token presented for token exchange (RFC 8693) against one partner IdP, with IdentityModel's
/// <see cref="JsonWebTokenHandler"/> for the signature and PartnerGate's own rules around it: an asymmetric algorithm
/// (ES256, RS256, PS256 — never <c>none</c> or a shared-secret HS*), <c>iss</c> exactly the registered authority, a key
/// from the IdP's JWKS (an unknown <c>kid</c> fetches the metadata once more, then is refused), <c>aud</c> containing
/// PartnerGate's workload audience, <c>exp</c>/<c>iat</c>/<c>jti</c>/<c>sub</c> present, at most
/// <see cref="MaximumLifetime"/> between <c>iat</c> and <c>exp</c>, and <c>nbf</c>/<c>exp</c> honoured with
/// <see cref="ClockSkew"/> on the app's <see cref="TimeProvider"/>. Every refusal is <c>invalid_grant</c> with a
/// sentence saying which rule failed; it never repeats the token.
/// </summary>
public sealed partial class SubjectTokenValidator(IdentityProviderMetadata metadata, TimeProvider clock, ILogger<SubjectTokenValidator> logger)
{
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>How often one authority's metadata may be fetched again because a token named a key it did not publish.</summary>
    public static readonly TimeSpan KeyRefreshInterval = TimeSpan.FromSeconds(30);

    public const int MaximumTokenIdLength = 256;
    public const int MaximumSubjectLength = 256;

    public static readonly IReadOnlyList<string> AllowedAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, DateTimeOffset> lastKeyRefresh = new(StringComparer.Ordinal);

    public async Task<Result<ValidatedSubjectToken>> ValidateAsync(string token, string authority, string audience, CancellationToken cancellationToken)
    {
        JsonWebToken jwt;
        try
        {
            jwt = Handler.ReadJsonWebToken(token);
        }
        catch (Exception exception) when (exception is ArgumentException or SecurityTokenMalformedException)
        {
            return Refuse("The subject token is not a JWT (three base64url parts separated by dots).");
        }

        if (jwt.IsEncrypted)
        {
            return Refuse("The subject token is encrypted; PartnerGate accepts signed JWTs only.");
        }

        if (!AllowedAlgorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return Refuse($"The subject token is signed with '{Shorten(jwt.Alg)}'; PartnerGate accepts ES256, RS256 or PS256 only.");
        }

        if (!jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Iss, out var issuer) || !string.Equals(issuer, authority, StringComparison.Ordinal))
        {
            return Refuse("The subject token was not issued by the identity provider registered for your organisation (its iss must be exactly the registered issuer).");
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await metadata.GetAsync(authority, cancellationToken);
            if (!string.IsNullOrEmpty(jwt.Kid) && !configuration.SigningKeys.Any(k => k.KeyId == jwt.Kid) && MayRefreshKeys(authority))
            {
                // The IdP may have rolled its keys since they were cached: fetch once, synchronously, then decide.
                metadata.Forget(authority);
                configuration = await metadata.GetAsync(authority, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or HttpRequestException or TaskCanceledException)
        {
            LogMetadataUnavailable(logger, authority, exception);
            return Refuse("PartnerGate could not read your identity provider's signing keys just now; try again shortly.");
        }

        if (!string.IsNullOrEmpty(jwt.Kid) && !configuration.SigningKeys.Any(k => k.KeyId == jwt.Kid))
        {
            return Refuse($"The subject token is signed with a key (kid '{Shorten(jwt.Kid)}') your identity provider does not publish.");
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = authority,
            ValidAudience = audience,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = AllowedAlgorithms,
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = string.IsNullOrEmpty(jwt.Kid),
            // Lifetime is checked below against the app's clock (tests move it), with PartnerGate's own skew and cap.
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidateIssuerSigningKey = false,
        };
        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenInvalidAudienceException => Refuse($"The subject token's audience (aud) must contain '{audience}'."),
                SecurityTokenInvalidIssuerException => Refuse("The subject token was not issued by the identity provider registered for your organisation."),
                SecurityTokenInvalidAlgorithmException => Refuse("The subject token is signed with an algorithm PartnerGate does not accept (ES256, RS256 or PS256)."),
                _ => Refuse("The subject token's signature does not verify with your identity provider's published keys."),
            };
        }

        if (!jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp) || !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat))
        {
            return Refuse("The subject token must carry exp and iat.");
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(iat);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expiresAt <= issuedAt || expiresAt - issuedAt > MaximumLifetime)
        {
            return Refuse($"The subject token lives {(long)(expiresAt - issuedAt).TotalSeconds} seconds; PartnerGate accepts workload tokens that live at most {(int)MaximumLifetime.TotalMinutes} minutes (exp − iat).");
        }

        var now = clock.GetUtcNow();
        if (now > expiresAt + ClockSkew)
        {
            return Refuse("The subject token has expired.");
        }

        if (issuedAt > now + ClockSkew)
        {
            return Refuse("The subject token was issued in the future (iat); check the clocks.");
        }

        if (jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) > now + ClockSkew)
        {
            return Refuse("The subject token is not valid yet (nbf).");
        }

        if (!jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var jti) || string.IsNullOrWhiteSpace(jti) || jti.Length > MaximumTokenIdLength)
        {
            return Refuse($"The subject token must carry a jti (at most {MaximumTokenIdLength} characters): PartnerGate exchanges each token once.");
        }

        if (!jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject) || string.IsNullOrWhiteSpace(subject) || subject.Length > MaximumSubjectLength)
        {
            return Refuse("The subject token must carry a sub naming the workload.");
        }

        return new ValidatedSubjectToken(issuer, subject, jti, issuedAt, expiresAt);
    }

    private bool MayRefreshKeys(string authority)
    {
        var now = clock.GetUtcNow();
        var last = lastKeyRefresh.GetOrAdd(authority, DateTimeOffset.MinValue);
        return now - last >= KeyRefreshInterval && lastKeyRefresh.TryUpdate(authority, now, last);
    }

    private static Error Refuse(string description) => OAuthRefusals.InvalidGrant(description);

    /// <summary>Header values are attacker-chosen: quoted back only short, and only printable.</summary>
    private static string Shorten(string? value) =>
        new string((value ?? string.Empty).Take(40).Where(c => !char.IsControl(c)).ToArray());

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token exchange: the metadata of {Authority} could not be read")]
    private static partial void LogMetadataUnavailable(ILogger logger, string authority, Exception exception);
}
