using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// <see cref="ClientAuthenticationThrottle"/> at the token, introspection and revocation endpoints, as OpenIddict
/// event handlers: <see cref="RefuseThrottledAddress{TContext}"/> runs first among each endpoint's validation handlers,
/// so before <c>ValidateAuthentication</c> looks the client up and verifies its secret; <see cref="CountFailure{TContext}"/>
/// sees every response the endpoint sends (OpenIddict's own rejections and the token endpoint's passthrough refusals alike)
/// and counts the client-authentication failures among them.
/// </summary>
/// <remarks>
/// The refusal is <c>429</c> with <c>Retry-After</c> and <c>temporarily_unavailable</c>. Not <c>invalid_client</c>: that says
/// the credentials were judged and found wrong, and would send the operator of a correct client that shares an address with
/// an attacker (a NAT, a proxy) off to rotate a secret that is fine; and its RFC 6749 §5.2 status is 401 with a Basic
/// challenge, which invites an immediate retry. RFC 6749 registers <c>temporarily_unavailable</c> for the authorization
/// endpoint only, but it is the one OAuth code that means "not now, try later", clients treat it as retryable, and servers
/// use it for exactly this at their token endpoints (Box answers a throttled token request with 429 and it).
/// </remarks>
public static class ClientAuthenticationThrottling
{
    private const string RetryAfterProperty = "PartnerGate.ClientAuthentication.RetryAfter";

    public static OpenIddictServerBuilder UseClientAuthenticationThrottling(this OpenIddictServerBuilder server) => server
        .AddEventHandler(RefuseThrottledAddress<ValidateTokenRequestContext>.Descriptor)
        .AddEventHandler(RefuseThrottledAddress<ValidateIntrospectionRequestContext>.Descriptor)
        .AddEventHandler(RefuseThrottledAddress<ValidateRevocationRequestContext>.Descriptor)
        .AddEventHandler(CountFailure<ApplyTokenResponseContext>.Descriptor)
        .AddEventHandler(CountFailure<ApplyIntrospectionResponseContext>.Descriptor)
        .AddEventHandler(CountFailure<ApplyRevocationResponseContext>.Descriptor);

    /// <summary>Refuses an address over its limit before any other validation of the request.</summary>
    public sealed class RefuseThrottledAddress<TContext>(ClientAuthenticationThrottle throttle) : IOpenIddictServerHandler<TContext>
        where TContext : BaseValidatingContext
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
                .UseSingletonHandler<RefuseThrottledAddress<TContext>>()
                .SetOrder(int.MinValue + 10_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(TContext context)
        {
            if (context.Transaction.GetHttpRequest() is not { } request
                || throttle.RetryAfter(request.HttpContext.Connection.RemoteIpAddress) is not { } wait)
            {
                return default;
            }

            context.Transaction.SetProperty(RetryAfterProperty, ClientAuthenticationThrottle.RetryAfterSeconds(wait));
            context.Reject(
                error: ClientAuthenticationThrottle.TemporarilyUnavailable,
                description: "Too many failed client authentications from this address. Retry after the time in Retry-After.");
            return default;
        }
    }

    /// <summary>
    /// Makes a throttled refusal a 429 with Retry-After (after OpenIddict chose the status, before it writes the body), and
    /// counts a failed client authentication: <c>invalid_client</c> (unknown client, wrong secret or assertion, disabled
    /// client or suspended organisation), or <c>invalid_request</c> for a Basic header that does not parse.
    /// </summary>
    public sealed class CountFailure<TContext>(ClientAuthenticationThrottle throttle) : IOpenIddictServerHandler<TContext>
        where TContext : BaseRequestContext
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
                .UseSingletonHandler<CountFailure<TContext>>()
                .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<TContext>.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(TContext context)
        {
            if (context.Transaction.GetHttpRequest() is not { } request || context.Transaction.Response?.Error is not { Length: > 0 } error)
            {
                return default;
            }

            if (context.Transaction.GetProperty<string>(RetryAfterProperty) is { } retryAfter)
            {
                request.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                request.HttpContext.Response.Headers.RetryAfter = retryAfter;
                return default;
            }

            string? header = request.Headers.Authorization;
            if (error == Errors.InvalidClient
                || (error == Errors.InvalidRequest && BasicCredentials.IsBasic(header) && !BasicCredentials.TryParse(header, out _, out _)))
            {
                throttle.RecordFailure(request.HttpContext.Connection.RemoteIpAddress);
            }

            return default;
        }
    }
}
