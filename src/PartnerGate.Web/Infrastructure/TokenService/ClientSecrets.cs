using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// Client secrets: generated here (256 random bits), shown once, stored as a SHA-256 hash (invariant 9).
/// </summary>
/// <remarks>
/// OpenIddict hashes secrets with PBKDF2 (10,000 iterations, ~3 ms), which protects low-entropy
/// passwords but caps a secret-authenticated token endpoint near 320 requests/s per core. A 256-bit random
/// secret cannot be guessed whatever the hash speed, so one SHA-256 is as safe for it and costs
/// microseconds. PartnerGate never accepts a secret it did not generate, except the documented demo
/// secrets, which exist only with <c>Demo:Seed</c>.
/// </remarks>
public static class ClientSecrets
{
    private const string Prefix = "sha256:";

    public static string Generate() => "pgs_" + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) =>
        Prefix + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Verify(string secret, string storedHash)
    {
        if (!storedHash.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        if (!Convert.TryFromBase64String(storedHash[Prefix.Length..], expected, out var written) || written != 32)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// OpenIddict's application manager with <see cref="ClientSecrets"/> hashing instead of PBKDF2, and a
/// per-request memory of applications read by client id: one token request asks for its client a
/// handful of times (client id, type, secret, permissions), and with OpenIddict's cross-request entity
/// cache off (see TokenServiceRegistration) each ask would be a query. The manager is scoped, so the memory
/// dies with the request and never serves a stale secret or status.
/// </summary>
public sealed class PartnerGateApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    Security.ClientAuthenticationMetrics metrics)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    private readonly Dictionary<string, OpenIddictEntityFrameworkCoreApplication?> byClientId = new(StringComparer.Ordinal);

    public override async ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        if (!byClientId.TryGetValue(identifier, out var application))
        {
            application = await base.FindByClientIdAsync(identifier, cancellationToken);
            byClientId[identifier] = application;
        }

        return application;
    }

    /// <summary>
    /// Exact matching, plus RFC 8252 §7.3 for the admin console alone: a command-line tool listens on whatever loopback
    /// port the OS gives it, so a registered <c>http://127.0.0.1/…</c> or <c>http://[::1]/…</c> URI matches any port
    /// (scheme, IP literal, path and query still exactly). Never <c>localhost</c>, never another client.
    /// </summary>
    public override async ValueTask<bool> ValidateRedirectUriAsync(OpenIddictEntityFrameworkCoreApplication application, string uri, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateRedirectUriAsync(application, uri, cancellationToken))
        {
            return true;
        }

        if (application.ClientId != AdminApiTokens.ConsoleClientId || !LoopbackRedirect.TryParse(uri, out var asked))
        {
            return false;
        }

        foreach (var registered in await GetRedirectUrisAsync(application, cancellationToken))
        {
            if (LoopbackRedirect.TryParse(registered, out var allowed) && LoopbackRedirect.SameButPort(allowed, asked))
            {
                return true;
            }
        }

        return false;
    }

    protected override ValueTask<string> ObfuscateClientSecretAsync(string secret, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ClientSecrets.Hash(secret));

    /// <summary>Counted (<see cref="Security.ClientAuthenticationMetrics"/>): the work a throttled address must not cause.</summary>
    protected override ValueTask<bool> ValidateClientSecretAsync(string secret, string comparand, CancellationToken cancellationToken = default)
    {
        metrics.SecretVerified();
        return ValueTask.FromResult(ClientSecrets.Verify(secret, comparand));
    }
}

/// <summary>RFC 8252 §7.3 loopback redirect URIs: <c>http</c> to the IP literal <c>127.0.0.1</c> or <c>[::1]</c>, no fragment, no user info.</summary>
public static class LoopbackRedirect
{
    public static bool TryParse(string? value, out Uri uri)
    {
        uri = null!;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttp
            || parsed.UserInfo.Length > 0 || parsed.Fragment.Length > 0 || value!.Contains('#', StringComparison.Ordinal)
            || !(parsed.Host is "127.0.0.1" or "[::1]")
            || !value.StartsWith("http://" + parsed.Host, StringComparison.Ordinal))
        {
            return false;
        }

        uri = parsed;
        return true;
    }

    public static bool SameButPort(Uri registered, Uri asked) =>
        registered.Host == asked.Host && string.Equals(registered.PathAndQuery, asked.PathAndQuery, StringComparison.Ordinal);
}
