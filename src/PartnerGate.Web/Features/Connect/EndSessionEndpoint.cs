using Mediator;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// <c>GET|POST /connect/endsession</c> (RP-initiated logout): ends the PartnerGate session, then OpenIddict sends
/// the browser to the client's <c>post_logout_redirect_uri</c> — only when it is one the client registered (they
/// are its redirect URIs) — or, without one, to the sign-in page.
/// </summary>
public static class EndSessionEndpoint
{
    public static IEndpointRouteBuilder MapEndSessionEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(TokenServiceRegistration.EndSessionEndpoint, [HttpMethods.Get, HttpMethods.Post], EndSessionAsync)
            .AllowAnonymous()
            .DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> EndSessionAsync(HttpContext http, IMediator mediator)
    {
        if (http.User.Identity?.IsAuthenticated == true)
        {
            await mediator.Send(new SignOutCommand(), http.RequestAborted);
        }

        return Results.SignOut(new AuthenticationProperties { RedirectUri = AccountEndpoints.SignInPath },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
