using System.Threading.RateLimiting;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>
/// The built-in rate limiter on sign-in posts, per client address: slows password guessing across many
/// accounts, which per-account lockout alone does not. Partner IdP callbacks (<c>/signin-partner/…</c>) get a
/// budget of their own: each one costs a token request to the partner's IdP or an audit event when refused,
/// so a flood of forged callbacks must not turn into a flood of either.
/// </summary>
public static class SignInRateLimiting
{
    public const string SignInPath = "/account/signin";

    /// <summary><see cref="Domain.Partners.PartnerIdentityProvider.CallbackPathPrefix"/> as a path segment.</summary>
    public const string FederatedCallbackPath = "/signin-partner";

    public static IServiceCollection AddSignInRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        // Failed client authentication (token, introspection, revocation, SSF) has a limit of its own: it counts only
        // failures and reads the app's TimeProvider, which the built-in limiters cannot (see ClientAuthenticationThrottle).
        services.AddClientAuthenticationThrottle(configuration);
        var permitLimit = configuration.GetValue("RateLimiting:SignIn:PermitLimit", 10);
        var window = TimeSpan.FromSeconds(configuration.GetValue("RateLimiting:SignIn:WindowSeconds", 60));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var kind = HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments(SignInPath, StringComparison.OrdinalIgnoreCase)
                    ? "signin"
                    : context.Request.Path.StartsWithSegments(FederatedCallbackPath, StringComparison.OrdinalIgnoreCase) ? "federated-callback" : null;
                return kind is null
                    ? RateLimitPartition.GetNoLimiter(string.Empty)
                    : RateLimitPartition.GetFixedWindowLimiter(
                        $"{kind}:{context.Connection.RemoteIpAddress?.ToString() ?? "unknown"}",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = permitLimit, Window = window, QueueLimit = 0 });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await context.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address. Wait a minute and try again.", cancellationToken);
            };
        });
        return services;
    }
}
