using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using PartnerGate.Data;
using PartnerGate.Web.Infrastructure.TokenService;
using static OpenIddict.Abstractions.OpenIddictConstants;
using OAuthErrors = OpenIddict.Abstractions.OpenIddictConstants.Errors;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// <c>GET|POST /connect/userinfo</c>: who the access token's user is, read fresh from the account — <c>sub</c> and
/// <c>partner_id</c> always, name and e-mail only with the <c>profile</c> / <c>email</c> scopes. OpenIddict has
/// validated the token and <see cref="TokenStillBackedHandler"/> has checked that its grants still stand.
/// </summary>
public static class UserInfoEndpoint
{
    public static IEndpointRouteBuilder MapUserInfoEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(TokenServiceRegistration.UserInfoEndpoint, [HttpMethods.Get, HttpMethods.Post], UserInfoAsync)
            .AllowAnonymous()
            .DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> UserInfoAsync(HttpContext http, UserManager<PartnerGateUser> users)
    {
        var token = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (token.Principal?.GetClaim(Claims.Subject) is not { } subject || !Guid.TryParse(subject, out _))
        {
            // A client's own token (client credentials) has no user behind it.
            return Challenge("The access token was not issued for a signed-in user.");
        }

        var user = await users.FindByIdAsync(subject);
        if (user?.PartnerId is not { } partnerId || token.Principal.GetClaim(TokenClaims.PartnerId) != partnerId.ToString())
        {
            return Challenge("The user of this access token no longer belongs to its organisation.");
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [Claims.Subject] = subject,
            [TokenClaims.PartnerId] = partnerId.ToString(),
        };
        if (token.Principal.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.DisplayName;
            claims[Claims.PreferredUsername] = user.UserName ?? string.Empty;
        }

        if (token.Principal.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = user.Email ?? string.Empty;
            claims[Claims.EmailVerified] = user.EmailConfirmed;
        }

        return Results.Ok(claims);
    }

    private static IResult Challenge(string description) => Results.Challenge(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = OAuthErrors.InvalidToken,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
