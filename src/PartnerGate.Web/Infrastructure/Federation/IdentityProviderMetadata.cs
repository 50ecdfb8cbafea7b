using System.Collections.Concurrent;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace PartnerGate.Web.Infrastructure.Federation;

/// <summary>
/// Partner IdPs' discovery documents and signing keys, one <see cref="ConfigurationManager{T}"/> per authority:
/// fetched on first use, cached (refreshed every 12 h, and at most every 5 min on demand, e.g. when a token
/// carries an unknown <c>kid</c> after the IdP rolled its keys). Shared by federated sign-in, token exchange
/// and the administrators' "test connection".
/// </summary>
public sealed class IdentityProviderMetadata(IHttpClientFactory httpClientFactory)
{
    public const string HttpClientName = "PartnerGate.Federation";

    private readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> managers = new(StringComparer.Ordinal);

    /// <summary>The configuration manager for an authority (as registered: <see cref="Domain.Partners.PartnerIdentityProvider.Authority"/>).</summary>
    public ConfigurationManager<OpenIdConnectConfiguration> For(string authority) =>
        managers.GetOrAdd(authority, a => new ConfigurationManager<OpenIdConnectConfiguration>(
            a.TrimEnd('/') + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(httpClientFactory.CreateClient(HttpClientName)) { RequireHttps = !IsLoopback(a) })
        {
            AutomaticRefreshInterval = TimeSpan.FromHours(12),
            RefreshInterval = TimeSpan.FromMinutes(5),
        });

    public Task<OpenIdConnectConfiguration> GetAsync(string authority, CancellationToken cancellationToken) =>
        For(authority).GetConfigurationAsync(cancellationToken);

    /// <summary>Forgets an authority's cached metadata: after an administrator edits or tests a provider.</summary>
    public void Forget(string authority) => managers.TryRemove(authority, out _);

    private static bool IsLoopback(string authority) => Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.IsLoopback;
}

public static class FederationRegistration
{
    /// <summary>Services federation shares: secret protection, metadata cache and its HTTP client (short timeout: a sign-in waits on it).</summary>
    public static IServiceCollection AddPartnerGateFederationInfrastructure(this IServiceCollection services)
    {
        services.AddHttpClient(IdentityProviderMetadata.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<IdentityProviderMetadata>();
        services.AddSingleton<IdentityProviderSecrets>();
        return services;
    }
}
