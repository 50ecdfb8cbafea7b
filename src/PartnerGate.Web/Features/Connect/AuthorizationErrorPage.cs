using System.Net;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// The page a browser sees when OpenIddict refuses an authorization or end-session request it must not answer
/// at the redirect URI — an unknown client, or a redirect URI the client did not register (RFC 6749 §4.1.2.1:
/// never redirect there). Other status codes keep the plain default text.
/// </summary>
public static class AuthorizationErrorPage
{
    public static async Task RenderAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var path = http.Request.Path;
        var refusal = path.Equals(TokenServiceRegistration.AuthorizationEndpoint, StringComparison.OrdinalIgnoreCase)
            || path.Equals(TokenServiceRegistration.EndSessionEndpoint, StringComparison.OrdinalIgnoreCase)
            ? http.GetOpenIddictServerResponse()
            : null;
        if (refusal?.Error is not { } error)
        {
            var status = http.Response.StatusCode;
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync($"Status Code: {status}; {ReasonPhrases.GetReasonPhrase(status)}");
            return;
        }

        var description = refusal.ErrorDescription ?? "The request is not valid.";
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1.0" />
            <title>Sign-in request refused · PartnerGate</title><link rel="stylesheet" href="/app.css" /></head>
            <body><div class="account-shell"><main class="account-card" role="main">
            <h1 class="account-heading">This sign-in request was refused</h1>
            <div class="account-alert" role="alert">{{WebUtility.HtmlEncode(description)}}</div>
            <p>The application that sent you here is misconfigured, so PartnerGate will not send you back to it. Error code: <code>{{WebUtility.HtmlEncode(error)}}</code>.</p>
            <p><a class="account-link" href="/">Go to the PartnerGate portal</a></p>
            </main></div></body></html>
            """);
    }
}
