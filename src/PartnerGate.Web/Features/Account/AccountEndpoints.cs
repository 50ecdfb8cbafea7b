using Mediator;
using Microsoft.AspNetCore.Mvc;

namespace PartnerGate.Web.Features.Account;

public static class AccountEndpoints
{
    public const string SignInPath = "/account/signin";

    /// <summary>Sign-out is a form post (antiforgery-checked), never a GET a link or image could trigger.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/signout", async (IMediator mediator, [FromForm] string? returnUrl) =>
        {
            await mediator.Send(new SignOutCommand());
            return TypedResults.LocalRedirect(SignInPath);
        });
        return endpoints;
    }

    /// <summary>Only local paths: a sign-in link must never bounce the user to another site (open redirect).</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
        && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative)
            ? returnUrl
            : "/";
}
