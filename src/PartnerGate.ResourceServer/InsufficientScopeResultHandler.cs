using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace PartnerGate.ResourceServer;

/// <summary>
/// A valid token without the scope an endpoint needs gets 403 with an RFC 6750 §3.1 challenge naming the
/// missing scopes, so a client can tell "get a token with more scope" from "this token is bad" (401).
/// </summary>
internal sealed class InsufficientScopeResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            var required = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>()
                .SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal).ToList() ?? [];
            if (required.Count > 0)
            {
                // Scope tokens are %x21 / %x23-5B / %x5D-7E (RFC 6749 §3.3): no quote or backslash can break the header.
                context.Response.Headers.Append(HeaderNames.WWWAuthenticate,
                    $"Bearer error=\"insufficient_scope\", error_description=\"The access token lacks a required scope.\", scope=\"{string.Join(' ', required)}\"");
            }
        }

        return fallback.HandleAsync(next, context, policy, authorizeResult);
    }
}
