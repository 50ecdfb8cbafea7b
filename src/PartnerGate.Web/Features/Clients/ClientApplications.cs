using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.TokenService;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Features.Clients;

/// <summary>
/// Keeps OpenIddict's application entry of an <see cref="ApiClient"/> in step with it. Written through the
/// command's own context, so the client, its credentials and the audit event commit together.
/// </summary>
public static class ClientApplications
{
    /// <summary>
    /// A new OpenIddict application for <paramref name="client"/>: confidential with exactly one credential, or — for a
    /// workload identity client — public with none. OpenIddict lets a public client authenticate with nothing, which is
    /// safe only because its permissions (<see cref="PermissionsFor(ApiClient)"/>) allow token exchange alone, where the
    /// partner IdP's token is the proof; it refuses client credentials for public clients by itself (ID2043).
    /// </summary>
    public static OpenIddictEntityFrameworkCoreApplication Create(ApiClient client, string? secret, string? jsonWebKeySet)
    {
        var application = new OpenIddictEntityFrameworkCoreApplication
        {
            Id = Guid.NewGuid().ToString(),
            ClientId = client.ClientId,
            ClientType = client.IsWorkloadIdentity ? ClientTypes.Public : ClientTypes.Confidential,
            ApplicationType = ApplicationTypes.Web,
            ConsentType = ConsentTypes.Explicit,
            ConcurrencyToken = Guid.NewGuid().ToString(),
        };
        Apply(application, client);
        if (client.IsWorkloadIdentity)
        {
            if (secret is not null || jsonWebKeySet is not null)
            {
                throw new ArgumentException("A workload identity client has no PartnerGate credential.");
            }
        }
        else
        {
            SetCredential(application, secret, jsonWebKeySet);
        }

        return application;
    }

    /// <summary>The tracked OpenIddict application of <paramref name="clientId"/>, read through the command's context.</summary>
    public static Task<OpenIddictEntityFrameworkCoreApplication?> FindAsync(PartnerGateDbContext db, string clientId, CancellationToken cancellationToken) =>
        db.Set<OpenIddictEntityFrameworkCoreApplication>().SingleOrDefaultAsync(a => a.ClientId == clientId, cancellationToken);

    /// <summary>Name, permissions, redirect URIs and requirements follow the client's kind.</summary>
    public static void Apply(OpenIddictEntityFrameworkCoreApplication application, ApiClient client)
    {
        application.DisplayName = client.DisplayName;
        application.Permissions = JsonSerializer.Serialize(PermissionsFor(client));
        application.RedirectUris = client.RedirectUris.Count == 0 ? null : JsonSerializer.Serialize(client.RedirectUris);
        application.PostLogoutRedirectUris = application.RedirectUris;
        application.Requirements = client.Kind == ApiClientKind.WebApp
            ? JsonSerializer.Serialize(new[] { Requirements.Features.ProofKeyForCodeExchange })
            : null;
        application.ConcurrencyToken = Guid.NewGuid().ToString();
    }

    /// <summary>Replaces the credential: a secret (stored as its hash) or a public key set, never both.</summary>
    public static void SetCredential(OpenIddictEntityFrameworkCoreApplication application, string? secret, string? jsonWebKeySet)
    {
        if ((secret is null) == (jsonWebKeySet is null))
        {
            throw new ArgumentException("A client has exactly one credential: a secret or a public key.");
        }

        application.ClientSecret = secret is null ? null : ClientSecrets.Hash(secret);
        application.JsonWebKeySet = jsonWebKeySet;
        application.ConcurrencyToken = Guid.NewGuid().ToString();
    }

    /// <summary>
    /// The flows a client may use. Every service may exchange tokens (RFC 8693), but only for the workload subjects it
    /// lists (none: refused at the token endpoint); a workload identity client may do nothing else.
    /// </summary>
    public static IReadOnlyList<string> PermissionsFor(ApiClient client) => client.IsWorkloadIdentity
        ? [Permissions.Endpoints.Token, Permissions.GrantTypes.TokenExchange]
        : PermissionsFor(client.Kind);

    public static IReadOnlyList<string> PermissionsFor(ApiClientKind kind) => kind switch
    {
        ApiClientKind.Service =>
        [
            Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
            Permissions.GrantTypes.ClientCredentials, Permissions.GrantTypes.TokenExchange,
        ],
        ApiClientKind.WebApp =>
        [
            Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
            Permissions.Endpoints.EndSession,
            Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
            Permissions.ResponseTypes.Code,
        ],
        ApiClientKind.ResourceServer => [Permissions.Endpoints.Introspection],
        _ => [],
    };

    /// <summary>
    /// Reads a pasted public key — one JWK, a JWKS, or a PEM public key (SPKI) — into the JWKS OpenIddict
    /// checks client assertions against. EC P-256/384/521 and RSA ≥ 2048 bits; a private key is refused
    /// (and not echoed back), because PartnerGate must never hold the client's private key.
    /// </summary>
    public static Result<string> ParsePublicKey(string? pasted)
    {
        var text = pasted?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            return Error.Validation("client.key_required", "Paste the client's public key (a JWK or a PEM public key).");
        }

        if (text.Length > 20_000)
        {
            return Error.Validation("client.key_too_long", "That key is too long; paste one public key.");
        }

        try
        {
            JsonWebKey key;
            if (text.StartsWith('{'))
            {
                using var document = JsonDocument.Parse(text);
                var json = document.RootElement.TryGetProperty("keys", out var keys)
                    ? keys.GetArrayLength() == 1 ? keys[0].GetRawText() : throw new FormatException("Paste exactly one key.")
                    : text;
                key = new JsonWebKey(json);
            }
            else if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                return Error.Validation("client.key_private", "That is a private key. Keep it with the client; paste only its public key.");
            }
            else
            {
                key = FromPem(text);
            }

            if (!string.IsNullOrEmpty(key.D) || !string.IsNullOrEmpty(key.P) || !string.IsNullOrEmpty(key.K))
            {
                return Error.Validation("client.key_private", "That JWK holds private or secret key material. Paste only its public part.");
            }

            var check = CheckStrength(key);
            if (check is not null)
            {
                return check;
            }

            if (string.IsNullOrEmpty(key.Kid))
            {
                key.Kid = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
            }

            var publicOnly = key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve
                ? new Dictionary<string, string> { ["kty"] = key.Kty, ["crv"] = key.Crv, ["x"] = key.X, ["y"] = key.Y, ["kid"] = key.Kid, ["use"] = "sig" }
                : new Dictionary<string, string> { ["kty"] = key.Kty, ["n"] = key.N, ["e"] = key.E, ["kid"] = key.Kid, ["use"] = "sig" };
            return JsonSerializer.Serialize(new { keys = new[] { publicOnly } });
        }
        catch (Exception exception) when (exception is JsonException or FormatException or ArgumentException or CryptographicException)
        {
            return Error.Validation("client.key_invalid", "That is not a public key PartnerGate can read. Paste a JWK ({\"kty\":\"EC\",…}) or a PEM block (-----BEGIN PUBLIC KEY-----).");
        }
    }

    private static JsonWebKey FromPem(string pem)
    {
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            return JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ecdsa));
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)));
        }
    }

    private static Error? CheckStrength(JsonWebKey key)
    {
        if (key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve)
        {
            return key.Crv is "P-256" or "P-384" or "P-521" && !string.IsNullOrEmpty(key.X) && !string.IsNullOrEmpty(key.Y)
                ? null
                : Error.Validation("client.key_curve", "An EC key must be on P-256, P-384 or P-521.");
        }

        if (key.Kty == JsonWebAlgorithmsKeyTypes.RSA)
        {
            var bits = string.IsNullOrEmpty(key.N) ? 0 : Base64UrlEncoder.DecodeBytes(key.N).Length * 8;
            return bits >= 2048 ? null : Error.Validation("client.key_weak", "An RSA key must have at least 2048 bits.");
        }

        return Error.Validation("client.key_type", "Use an EC (recommended) or RSA public key.");
    }
}
