using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Features.Account;

namespace PartnerGate.Web.Infrastructure.Federation;

/// <summary>
/// The OpenID Connect handler options of one partner provider, built from its row (through the snapshot
/// <see cref="PartnerIdentityProviderSchemes"/> keeps; the cache entry is dropped when the row's version changes).
/// </summary>
internal sealed class PartnerOpenIdConnectOptions(
    PartnerIdentityProviderSchemes providers,
    IdentityProviderMetadata metadata,
    IdentityProviderSecrets secrets,
    IHttpClientFactory httpClientFactory)
    : IConfigureNamedOptions<OpenIdConnectOptions>
{
    public void Configure(OpenIdConnectOptions options) { }

    public void Configure(string? name, OpenIdConnectOptions options)
    {
        if (name is null || !name.StartsWith(PartnerIdentityProvider.SchemeNameFor(Guid.Empty)[..^32], StringComparison.Ordinal)
            || !Guid.TryParseExact(name[^32..], "N", out var providerId))
        {
            return;
        }

        var provider = providers.Find(providerId)
            ?? throw new InvalidOperationException($"Partner identity provider {providerId} is not loaded on this node.");

        options.Authority = provider.Authority;
        options.ClientId = provider.ClientId;
        options.ClientSecret = secrets.Unprotect(provider.ProtectedClientSecret);
        options.CallbackPath = PartnerIdentityProvider.CallbackPathFor(providerId);

        // The handler also answers these paths; per provider, so no two handlers claim the same one.
        options.SignedOutCallbackPath = PartnerIdentityProvider.CallbackPathFor(providerId) + "/signed-out";
        options.RemoteSignOutPath = PartnerIdentityProvider.CallbackPathFor(providerId) + "/signout";

        // Code flow with PKCE, answered as a query: form_post would need SameSite=None correlation cookies,
        // which browsers drop on plain-http development hosts.
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.UsePkce = true;

        // The answer is a top-level GET, which Lax cookies survive; the defaults (SameSite=None, Secure) are
        // dropped by browsers on plain-http development hosts and by the test client.
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.NonceCookie.SameSite = SameSiteMode.Lax;
        options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Scope.Clear();
        foreach (var scope in provider.Scopes)
        {
            options.Scope.Add(scope);
        }

        options.MapInboundClaims = false;
        options.SaveTokens = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.SignInScheme = IdentityConstants.ExternalScheme;
        options.ConfigurationManager = metadata.For(provider.Authority);
        options.Backchannel = httpClientFactory.CreateClient(IdentityProviderMetadata.HttpClientName);
        options.RequireHttpsMetadata = !(Uri.TryCreate(provider.Authority, UriKind.Absolute, out var authority) && authority.IsLoopback);

        // The handler deletes iss and acr from the principal by default; the completion needs both
        // (the registered issuer is compared again, acr may prove MFA).
        options.ClaimActions.Remove("iss");
        options.ClaimActions.Remove("acr");

        options.TokenValidationParameters = new TokenValidationParameters
        {
            NameClaimType = "name",
            ValidAudience = provider.ClientId,
            ValidIssuer = provider.Authority,

            // Exactly the registered issuer. The handler would otherwise also accept whatever issuer the
            // discovery document names, which is not necessarily the one the administrator registered.
            IssuerValidator = (issuer, _, _) => string.Equals(issuer, provider.Authority, StringComparison.Ordinal)
                ? issuer
                : throw new SecurityTokenInvalidIssuerException("The ID token's issuer is not the registered authority."),
        };

        options.Events = FederatedSignInEvents.For(providerId);
    }
}
