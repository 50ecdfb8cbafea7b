using Microsoft.AspNetCore.WebUtilities;
using OpenIddict.Abstractions;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// When the sign-in page was reached from an authorization request, the registered origin of that request's
/// redirect URI. Chrome applies the sign-in page's CSP <c>form-action</c> to every redirect that follows its
/// form post — including the authorization endpoint's answer back to the application (a refusal such as
/// <c>access_denied</c>) — so that origin, and only a registered one, must be allowed there.
/// </summary>
public static class AuthorizeReturnOrigin
{
    public static async Task<string?> FindAsync(string? returnUrl, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith(Infrastructure.TokenService.TokenServiceRegistration.AuthorizationEndpoint + "?", StringComparison.Ordinal))
        {
            return null;
        }

        var query = QueryHelpers.ParseQuery(returnUrl[returnUrl.IndexOf('?', StringComparison.Ordinal)..]);
        if (!query.TryGetValue("client_id", out var clientIds) || clientIds.Count != 1
            || !query.TryGetValue("redirect_uri", out var redirectUris) || redirectUris.Count != 1
            || !Uri.TryCreate(redirectUris[0], UriKind.Absolute, out var redirectUri))
        {
            return null;
        }

        var application = await applications.FindByClientIdAsync(clientIds[0]!, cancellationToken);
        return application is not null && await applications.ValidateRedirectUriAsync(application, redirectUris[0]!, cancellationToken)
            ? redirectUri.GetLeftPart(UriPartial.Authority)
            : null;
    }
}
