using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace PartnerGate.Web.Features.Account;

/// <summary>
/// The OpenID Connect handler's events for partner providers. State, nonce, correlation and PKCE stay the
/// handler's; what is added here: the user's e-mail as <c>login_hint</c>, and every failure turned into an
/// audit event and the sign-in page with a clear message — never a 500, never the exception's text.
/// </summary>
public static class FederatedSignInEvents
{
    /// <summary>Where the challenge keeps the local return URL (protected inside <c>state</c>, then the external cookie).</summary>
    public const string ReturnUrlItem = "partnergate.returnUrl";

    public const string LoginHintItem = "partnergate.loginHint";

    /// <summary>The provider the challenge went to, carried in the protected state into the external cookie.</summary>
    public const string ProviderItem = "partnergate.provider";

    public static OpenIdConnectEvents For(Guid providerId) => new()
    {
        OnRedirectToIdentityProvider = context =>
        {
            if (context.Properties.Items.TryGetValue(LoginHintItem, out var hint) && !string.IsNullOrEmpty(hint))
            {
                context.ProtocolMessage.LoginHint = hint;
            }

            return Task.CompletedTask;
        },
        OnAccessDenied = async context =>
        {
            await RefuseAsync(context.HttpContext, providerId, FederatedSignInRefusal.AccessDenied, "access_denied", context.Properties);
            context.HandleResponse();
        },
        OnRemoteFailure = async context =>
        {
            var (reason, providerError) = Classify(context.Failure, context.Properties, context.HttpContext.Request);
            await RefuseAsync(context.HttpContext, providerId, reason, providerError, context.Properties);
            context.HandleResponse();
        },
    };

    /// <summary>Maps the handler's failure to a refusal code, by exception type where it has one.</summary>
    internal static (string Reason, string? ProviderError) Classify(Exception? failure, AuthenticationProperties? properties, HttpRequest request)
    {
        var providerError = request.Query[OpenIdConnectParameterNames.Error].FirstOrDefault();
        if (providerError is { Length: > 100 })
        {
            providerError = providerError[..100];
        }

        for (var exception = failure; exception is not null; exception = exception.InnerException)
        {
            switch (exception)
            {
                case SecurityTokenInvalidIssuerException:
                    return (FederatedSignInRefusal.IssuerMismatch, providerError);
                case SecurityTokenInvalidAudienceException:
                    return (FederatedSignInRefusal.AudienceMismatch, providerError);
                case OpenIdConnectProtocolInvalidNonceException:
                    return (FederatedSignInRefusal.NonceInvalid, providerError);
                case SecurityTokenException:
                    return (FederatedSignInRefusal.IdTokenInvalid, providerError);
                case OpenIdConnectProtocolException when providerError is not null:
                    return (providerError == "access_denied" ? FederatedSignInRefusal.AccessDenied : FederatedSignInRefusal.ProtocolError, providerError);
                case OpenIdConnectProtocolException:
                    // No error in the callback itself: the provider refused the code at its token endpoint
                    // (for instance a code delivered with another sign-in's state fails PKCE).
                    return (FederatedSignInRefusal.TokenRequestFailed, providerError);
            }
        }

        // The handler reports these as plain failures with fixed texts; without readable state nothing else is known.
        if (failure?.Message.Contains("Correlation failed", StringComparison.Ordinal) == true)
        {
            return (FederatedSignInRefusal.CorrelationFailed, providerError);
        }

        return properties is null
            ? (FederatedSignInRefusal.StateInvalid, providerError)
            : (FederatedSignInRefusal.ProtocolError, providerError);
    }

    private static async Task RefuseAsync(HttpContext http, Guid providerId, string reason, string? providerError, AuthenticationProperties? properties)
    {
        await http.RequestServices.GetRequiredService<IMediator>().Send(new RecordFederatedSignInFailureCommand(providerId, reason, providerError), http.RequestAborted);
        string? returnUrl = null;
        properties?.Items.TryGetValue(ReturnUrlItem, out returnUrl);
        http.Response.Redirect(FederatedSignInRefusal.SignInPageFor(reason, returnUrl));
    }
}
