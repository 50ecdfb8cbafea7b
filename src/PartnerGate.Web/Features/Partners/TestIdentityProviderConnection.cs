using System.Net;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Federation;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

public enum ConnectionCheckOutcome
{
    Passed,

    /// <summary>Sign-in may still work, but something looks off.</summary>
    Warning,
    Failed,

    /// <summary>Not checked because an earlier check it depends on failed.</summary>
    NotChecked,
}

/// <summary>One check of a connection test: a stable <see cref="Code"/>, a title and a plain sentence saying what was found.</summary>
public sealed record ConnectionCheck(string Code, string Title, ConnectionCheckOutcome Outcome, string Message);

public sealed record ConnectionTestReport(string Authority, IReadOnlyList<ConnectionCheck> Checks, DateTimeOffset TestedAt)
{
    public bool Succeeded => Checks.All(c => c.Outcome is ConnectionCheckOutcome.Passed or ConnectionCheckOutcome.Warning);

    public ConnectionCheck Check(string code) => Checks.Single(c => c.Code == code);
}

/// <summary>
/// Fetches an issuer's discovery document and key set, fresh (never from the sign-in cache), and says check by
/// check what is wrong. Tests the saved provider of the partner, or — with <see cref="Authority"/> — the values
/// of a form not saved yet. The client id and secret are not checked here: only a real sign-in proves them.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record TestIdentityProviderConnectionCommand(Guid PartnerId, string? Authority = null, IReadOnlyList<string>? Scopes = null)
    : ICommand<Result<ConnectionTestReport>>;

public sealed class TestIdentityProviderConnectionValidator : AbstractValidator<TestIdentityProviderConnectionCommand>
{
    public TestIdentityProviderConnectionValidator()
    {
        RuleFor(c => c.PartnerId).NotEmpty().WithMessage("Choose a partner.");
        RuleFor(c => c.Authority).Custom((authority, context) =>
        {
            if (!string.IsNullOrWhiteSpace(authority) && PartnerIdentityProvider.CheckAuthority(authority) is { } problem)
            {
                context.AddFailure(problem.Message);
            }
        });
    }
}

public sealed class TestIdentityProviderConnectionHandler(
    IUnitOfWork unitOfWork, IHttpClientFactory httpClientFactory, IdentityProviderMetadata metadata, TimeProvider clock)
    : ICommandHandler<TestIdentityProviderConnectionCommand, Result<ConnectionTestReport>>
{
    public async ValueTask<Result<ConnectionTestReport>> Handle(TestIdentityProviderConnectionCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var partner = await db.Partners.AsNoTracking().Where(p => p.Id == command.PartnerId).Select(p => new { p.Id }).SingleOrDefaultAsync(cancellationToken);
        if (partner is null)
        {
            return Error.NotFound("partner_not_found", "That partner is not registered. Reload the partner list.");
        }

        var saved = await db.PartnerIdentityProviders.AsNoTracking().SingleOrDefaultAsync(p => p.PartnerId == partner.Id, cancellationToken);
        var testsSaved = string.IsNullOrWhiteSpace(command.Authority);
        if (testsSaved && saved is null)
        {
            return Error.Validation("idp.nothing_to_test", "This partner has no identity provider yet: enter the issuer URL to test.") with
            {
                FieldErrors = new Dictionary<string, string[]>(StringComparer.Ordinal) { ["Authority"] = ["Enter the issuer URL to test."] },
            };
        }

        var authority = testsSaved ? saved!.Authority : PartnerIdentityProvider.NormalizeAuthority(command.Authority)!;
        var scopes = PartnerIdentityProvider.NormalizeScopes(command.Scopes ?? (testsSaved ? saved!.Scopes : []));
        var http = httpClientFactory.CreateClient(IdentityProviderMetadata.HttpClientName);
        var checks = await IdentityProviderProbe.RunAsync(http, authority, scopes, cancellationToken);
        var report = new ConnectionTestReport(authority, checks, clock.GetUtcNow());

        // Whatever was wrong may just have been fixed at the provider: the next sign-in should not wait up to
        // 12 hours for the cached copy to expire.
        metadata.Forget(authority);

        unitOfWork.Audit("idp.connection_tested",
            saved is null ? "Partner" : "PartnerIdentityProvider",
            saved is null ? partner.Id.ToString() : saved.Id.ToString(),
            partner.Id,
            new
            {
                authority,
                settings = testsSaved ? "saved" : "unsaved form",
                outcome = report.Succeeded ? "passed" : "failed",
                failed = checks.Where(c => c.Outcome == ConnectionCheckOutcome.Failed).Select(c => c.Code).ToList(),
                warnings = checks.Where(c => c.Outcome == ConnectionCheckOutcome.Warning).Select(c => c.Code).ToList(),
            });
        return report;
    }
}

/// <summary>
/// The checks themselves, on Microsoft.IdentityModel's parsers (the same the sign-in handler uses), so "passed"
/// here means the sign-in can read what the provider publishes.
/// </summary>
internal static class IdentityProviderProbe
{
    public const string Reachable = "discovery_reachable";
    public const string Document = "discovery_document";
    public const string Issuer = "issuer";
    public const string AuthorizationEndpoint = "authorization_endpoint";
    public const string TokenEndpoint = "token_endpoint";
    public const string JwksUri = "jwks_uri";
    public const string SigningKeys = "signing_keys";
    public const string Scopes = "scopes";

    // A discovery document or key set is a few kilobytes; the cap keeps a wrong URL (a download, a video) from
    // being read into memory.
    private const int MaximumDocumentBytes = 512 * 1024;

    private static readonly (string Code, string Title)[] AllChecks =
    [
        (Reachable, "Discovery document reachable"),
        (Document, "Is an OpenID Connect discovery document"),
        (Issuer, "Issuer matches"),
        (AuthorizationEndpoint, "Authorization endpoint"),
        (TokenEndpoint, "Token endpoint"),
        (JwksUri, "Key set address (jwks_uri)"),
        (SigningKeys, "Signing keys"),
        (Scopes, "Scopes offered"),
    ];

    public static async Task<IReadOnlyList<ConnectionCheck>> RunAsync(HttpClient http, string authority, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, ConnectionCheck>(StringComparer.Ordinal);
        void Set(string code, ConnectionCheckOutcome outcome, string message) =>
            results[code] = new ConnectionCheck(code, AllChecks.Single(c => c.Code == code).Title, outcome, message);

        var discoveryAddress = authority.TrimEnd('/') + "/.well-known/openid-configuration";
        var discovery = await FetchAsync(http, discoveryAddress, cancellationToken);
        if (discovery.Problem is { } unreachable)
        {
            Set(Reachable, ConnectionCheckOutcome.Failed, unreachable);
            return Complete(results);
        }

        Set(Reachable, ConnectionCheckOutcome.Passed, $"{discoveryAddress} answered HTTP {discovery.Status}.");
        var (configuration, notDocument) = ParseDiscovery(discovery, authority);
        if (configuration is null)
        {
            Set(Document, ConnectionCheckOutcome.Failed, notDocument!);
            return Complete(results);
        }

        Set(Document, ConnectionCheckOutcome.Passed, "The answer is an OpenID Connect discovery document.");
        CheckIssuer(configuration.Issuer, authority, Set);
        CheckEndpoint(configuration.AuthorizationEndpoint, "authorization_endpoint", "the users' browsers are sent there to sign in", AuthorizationEndpoint, Set);
        CheckEndpoint(configuration.TokenEndpoint, "token_endpoint", "PartnerGate sends the client secret there", TokenEndpoint, Set);
        if (CheckEndpoint(configuration.JwksUri, "jwks_uri", "the keys that verify the provider's tokens come from there", JwksUri, Set) is { } jwksUri)
        {
            var (outcome, message) = await CheckSigningKeysAsync(http, jwksUri, cancellationToken);
            Set(SigningKeys, outcome, message);
        }

        CheckScopes(configuration.ScopesSupported, scopes, Set);
        return Complete(results);
    }

    private static IReadOnlyList<ConnectionCheck> Complete(Dictionary<string, ConnectionCheck> results) =>
        AllChecks.Select(c => results.TryGetValue(c.Code, out var check)
            ? check
            : new ConnectionCheck(c.Code, c.Title, ConnectionCheckOutcome.NotChecked, "Not checked: fix the problem above first.")).ToList();

    private static void CheckIssuer(string? published, string authority, Action<string, ConnectionCheckOutcome, string> set)
    {
        if (string.Equals(published, authority, StringComparison.Ordinal))
        {
            set(Issuer, ConnectionCheckOutcome.Passed, $"The provider's issuer is {published}, exactly as registered.");
        }
        else if (string.Equals(published?.TrimEnd('/'), authority.TrimEnd('/'), StringComparison.Ordinal))
        {
            set(Issuer, ConnectionCheckOutcome.Failed,
                $"The provider's issuer is \"{published}\" but the registered issuer is \"{authority}\": they differ in the trailing slash, and tokens are compared character for character. Enter the issuer exactly as \"{published}\".");
        }
        else
        {
            set(Issuer, ConnectionCheckOutcome.Failed,
                $"Issuer mismatch: the provider says its issuer is \"{published}\", but it is registered as \"{authority}\". Its tokens would be refused. If this is the right provider, enter \"{published}\" as the issuer.");
        }
    }

    /// <summary>Checks an endpoint the document must name; returns it when usable.</summary>
    private static Uri? CheckEndpoint(string? value, string member, string why, string code, Action<string, ConnectionCheckOutcome, string> set)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            set(code, ConnectionCheckOutcome.Failed, $"The discovery document has no {member}; {why}, so sign-in cannot work without it.");
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            set(code, ConnectionCheckOutcome.Failed, $"The {member} \"{value}\" is not an absolute http(s) URL.");
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)
        {
            set(code, ConnectionCheckOutcome.Failed, $"The {member} {value} is not https; {why}, so it must be (http is accepted only on localhost).");
            return null;
        }

        set(code, ConnectionCheckOutcome.Passed, value);
        return uri;
    }

    private static async Task<(ConnectionCheckOutcome, string)> CheckSigningKeysAsync(HttpClient http, Uri jwksUri, CancellationToken cancellationToken)
    {
        var fetched = await FetchAsync(http, jwksUri.AbsoluteUri, cancellationToken);
        if (fetched.Problem is { } unreachable)
        {
            return (ConnectionCheckOutcome.Failed, "The key set could not be fetched: " + unreachable);
        }

        JsonWebKeySet keySet;
        try
        {
            keySet = new JsonWebKeySet(fetched.Body) { SkipUnresolvedJsonWebKeys = true };
        }
        catch (Exception exception) when (exception is ArgumentException or JsonException)
        {
            return (ConnectionCheckOutcome.Failed, $"{jwksUri} did not answer with a JSON Web Key Set (RFC 7517): {Describe(fetched)}.");
        }

        if (keySet.Keys.Count == 0)
        {
            return (ConnectionCheckOutcome.Failed,
                $"The key set at {jwksUri} is empty: the provider publishes no signing keys, so no token it issues can be verified. The provider is misconfigured; ask its administrator.");
        }

        // Symmetric keys cannot be published safely and never verify a partner's tokens here; encryption keys do not verify at all.
        var usable = keySet.GetSigningKeys().Where(k => k is not SymmetricSecurityKey && k is not JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.Octet }).ToList();
        var described = string.Join("; ", keySet.Keys.Select(k => $"{k.Kty}{(k.Alg is { Length: > 0 } ? " " + k.Alg : "")}{(k.Use is { Length: > 0 } ? " use=" + k.Use : "")}{(k.Kid is { Length: > 0 } ? " kid=" + k.Kid : "")}"));
        return usable.Count == 0
            ? (ConnectionCheckOutcome.Failed,
                $"The key set at {jwksUri} has {keySet.Keys.Count} key(s), none usable to verify signatures ({described}). PartnerGate needs RSA or EC public keys for signing (use \"sig\" or no use).")
            : (ConnectionCheckOutcome.Passed, $"{usable.Count} signing key(s): {described}.");
    }

    private static void CheckScopes(ICollection<string> supported, IReadOnlyList<string> requested, Action<string, ConnectionCheckOutcome, string> set)
    {
        if (supported.Count == 0)
        {
            set(Scopes, ConnectionCheckOutcome.Passed, "The provider does not list its scopes; the first sign-in shows whether it grants " + string.Join(" ", requested) + ".");
            return;
        }

        var missing = requested.Where(s => !supported.Contains(s, StringComparer.Ordinal)).ToList();
        if (missing.Count == 0)
        {
            set(Scopes, ConnectionCheckOutcome.Passed, "All requested scopes are offered: " + string.Join(" ", requested) + ".");
            return;
        }

        set(Scopes, ConnectionCheckOutcome.Warning,
            $"The provider does not list {string.Join(", ", missing)} among its scopes ({string.Join(" ", supported)}); it may refuse the sign-in or leave out the claims they stand for.");
    }

    private static (OpenIdConnectConfiguration? Configuration, string? Problem) ParseDiscovery(Fetched fetched, string authority)
    {
        var hint = $"Check the issuer URL: the discovery document must be at {authority.TrimEnd('/')}/.well-known/openid-configuration.";
        try
        {
            using var json = JsonDocument.Parse(fetched.Body);
            if (json.RootElement.ValueKind != JsonValueKind.Object ||
                !json.RootElement.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String)
            {
                return (null, $"The answer is JSON but not an OpenID Connect discovery document (it has no \"issuer\"). {hint}");
            }
        }
        catch (JsonException)
        {
            return (null, $"The answer is not a discovery document: {Describe(fetched)}. {hint}");
        }

        try
        {
            return (OpenIdConnectConfiguration.Create(fetched.Body), null);
        }
        catch (Exception exception) when (exception is ArgumentException or JsonException)
        {
            return (null, $"The discovery document is malformed: {exception.Message}");
        }
    }

    private static string Describe(Fetched fetched) =>
        fetched.Body.TrimStart().StartsWith('<') || fetched.ContentType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true
            ? "it is an HTML page"
            : fetched.Body.Length == 0 ? "it is empty" : $"it is not JSON ({fetched.ContentType ?? "no content type"})";

    private sealed record Fetched(int Status, string Body, string? ContentType, string? Problem);

    private static async Task<Fetched> FetchAsync(HttpClient http, string address, CancellationToken cancellationToken)
    {
        var uri = new Uri(address);
        var where = $"{uri.Host}:{uri.Port}";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new Fetched((int)response.StatusCode, string.Empty, null,
                    $"{address} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}" +
                    (response.StatusCode == HttpStatusCode.NotFound ? ": there is no discovery document there. Check the issuer URL." : "."));
            }

            if (response.Content.Headers.ContentLength > MaximumDocumentBytes)
            {
                return new Fetched((int)response.StatusCode, string.Empty, null, $"{address} answered with {response.Content.Headers.ContentLength:N0} bytes: far too large for a discovery document or key set.");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaximumDocumentBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }

            if (length > MaximumDocumentBytes)
            {
                return new Fetched((int)response.StatusCode, string.Empty, null, $"{address} answered with more than {MaximumDocumentBytes / 1024} KB: far too large for a discovery document or key set.");
            }

            return new Fetched((int)response.StatusCode, Encoding.UTF8.GetString(buffer, 0, length), response.Content.Headers.ContentType?.MediaType, null);
        }
        catch (HttpRequestException exception)
        {
            var message = exception.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => $"The host name {uri.Host} could not be resolved (DNS). Check the issuer URL for typos.",
                HttpRequestError.ConnectionError => $"Nothing accepted a connection at {where} (connection refused or unreachable). Check the issuer URL, and that PartnerGate's network may reach the provider.",
                HttpRequestError.SecureConnectionError => $"The TLS connection to {where} failed: {exception.InnerException?.Message ?? exception.Message} Is its certificate valid and trusted?",
                _ => $"Could not fetch {address}: {exception.Message}",
            };
            return new Fetched(0, string.Empty, null, message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Fetched(0, string.Empty, null, $"No answer from {where} within {http.Timeout.TotalSeconds:0} seconds (timeout).");
        }
    }
}
