using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using PartnerGate.Web.Infrastructure.Federation;

namespace PartnerGate.Web.Features.Account;

public static class AccountEndpoints
{
    public const string SignInPath = "/account/signin";

    /// <summary>Starts the round trip to a partner's provider: a GET, so the sign-in form's CSP form-action never has to name the provider.</summary>
    public const string FederatedChallengePath = "/account/signin/partner";

    /// <summary>Where the provider's callback handler sends the browser once the external cookie holds the identity.</summary>
    public const string FederatedCompletionPath = "/account/signin/complete";

    public static string FederatedChallengeUrl(Guid providerId, string? returnUrl, string? loginHint)
    {
        var url = $"{FederatedChallengePath}/{providerId:N}?returnUrl={Uri.EscapeDataString(SafeReturnUrl(returnUrl))}";
        return string.IsNullOrEmpty(loginHint) ? url : $"{url}&login_hint={Uri.EscapeDataString(loginHint)}";
    }

    /// <summary>Sign-out is a form post (antiforgery-checked), never a GET a link or image could trigger.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/signout", async (IMediator mediator, [FromForm] string? returnUrl) =>
        {
            await mediator.Send(new SignOutCommand());
            return TypedResults.LocalRedirect(SignInPath);
        });

        endpoints.MapGet(FederatedChallengePath + "/{providerId:guid}", ChallengeAsync).AllowAnonymous();
        endpoints.MapGet(FederatedCompletionPath, CompleteAsync).AllowAnonymous();
        return endpoints;
    }

    private static async Task<IResult> ChallengeAsync(
        Guid providerId, string? returnUrl, [FromQuery(Name = "login_hint")] string? loginHint,
        PartnerIdentityProviderSchemes schemes, HttpContext http)
    {
        var provider = await schemes.EnsureCurrentAsync(providerId, http.RequestAborted);
        var safeReturnUrl = SafeReturnUrl(returnUrl);
        if (provider is null || !provider.IsEnabled)
        {
            // Nothing is started for a provider that is gone or switched off; the page says why.
            return TypedResults.LocalRedirect(FederatedSignInRefusal.SignInPageFor(
                provider is null ? FederatedSignInRefusal.ProviderUnknown : FederatedSignInRefusal.ProviderDisabled, safeReturnUrl));
        }

        var properties = new AuthenticationProperties { RedirectUri = FederatedCompletionPath };
        properties.Items[FederatedSignInEvents.ReturnUrlItem] = safeReturnUrl;
        properties.Items[FederatedSignInEvents.ProviderItem] = providerId.ToString("N");
        if (loginHint is { Length: > 0 and <= 256 })
        {
            properties.Items[FederatedSignInEvents.LoginHintItem] = loginHint;
        }

        try
        {
            await http.ChallengeAsync(provider.SchemeName, properties);
            return TypedResults.Empty;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Discovery unreachable, keys missing, pushed request refused: the person gets a message, the
            // audit trail the reason; the exception text stays in the log.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccountEndpoints))
                .LogWarning(exception, "Starting sign-in at partner identity provider {ProviderId} failed", providerId);
            http.Response.Headers.Remove("Set-Cookie");
            await http.RequestServices.GetRequiredService<IMediator>().Send(
                new RecordFederatedSignInFailureCommand(providerId, FederatedSignInRefusal.ProviderUnreachable, null), http.RequestAborted);
            return TypedResults.LocalRedirect(FederatedSignInRefusal.SignInPageFor(FederatedSignInRefusal.ProviderUnreachable, safeReturnUrl));
        }
    }

    private static async Task<IResult> CompleteAsync(IMediator mediator, HttpContext http)
    {
        // Which provider vouched for this identity comes from the protected state the challenge wrote (a
        // state can only be read by the handler of the scheme that wrote it), never from the query.
        var external = await http.AuthenticateAsync(IdentityConstants.ExternalScheme);
        string? returnUrl = null;
        string? provider = null;
        external.Properties?.Items.TryGetValue(FederatedSignInEvents.ReturnUrlItem, out returnUrl);
        external.Properties?.Items.TryGetValue(FederatedSignInEvents.ProviderItem, out provider);
        if (!Guid.TryParseExact(provider, "N", out var providerId))
        {
            await http.SignOutAsync(IdentityConstants.ExternalScheme);
            return TypedResults.LocalRedirect(FederatedSignInRefusal.SignInPageFor(FederatedSignInRefusal.SignInExpired, returnUrl));
        }

        var result = await mediator.Send(new CompleteFederatedSignInCommand(providerId, external.Succeeded ? external.Principal : null), http.RequestAborted);
        if (!result.IsSuccess)
        {
            return TypedResults.LocalRedirect(FederatedSignInRefusal.SignInPageFor(FederatedSignInRefusal.AccountInvalid, returnUrl));
        }

        return result.Value.SignedIn
            ? TypedResults.LocalRedirect(SafeReturnUrl(returnUrl))
            : TypedResults.LocalRedirect(FederatedSignInRefusal.SignInPageFor(result.Value.RefusalReason!, returnUrl));
    }

    /// <summary>Only local paths: a sign-in link must never bounce the user to another site (open redirect).</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
        && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative)
            ? returnUrl
            : "/";
}
