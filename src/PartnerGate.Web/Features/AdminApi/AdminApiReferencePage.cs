using PartnerGate.Web.Infrastructure.TokenService;
using Scalar.AspNetCore;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>
/// The interactive reference (Scalar) at <c>/scalar</c>: served entirely from the app — its script from the package's
/// embedded assets, no web fonts, no telemetry, no AI agent, no proxy — with a per-request nonce that
/// <see cref="Infrastructure.Security.SecurityHeaders"/> lets through CSP on this path alone. "Authorize" signs in with the
/// admin console client (PKCE S256) and comes back to this very page on the portal's own origin.
/// </summary>
public static class AdminApiReferencePage
{
    public static void Configure(ScalarOptions options, HttpContext http)
    {
        var origin = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        options.WithTitle("PartnerGate admin API")
            .WithOpenApiRoutePattern(AdminApiEndpoints.DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal))
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .WithNonce()
            .AddPreferredSecuritySchemes(AdminApiOpenApi.OAuthScheme)
            .AddAuthorizationCodeFlow(AdminApiOpenApi.OAuthScheme, flow => flow
                .WithClientId(AdminApiTokens.ConsoleClientId)
                .WithPkce(Pkce.Sha256)
                .WithRedirectUri(origin + AdminApiEndpoints.ReferencePath + "/")
                .WithSelectedScopes([AdminApiTokens.ReadScope]));
    }
}
