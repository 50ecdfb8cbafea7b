using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PartnerGate.ResourceServer.RevocationFeed;

namespace PartnerGate.ResourceServer;

public static class PartnerGateResourceServerExtensions
{
    /// <summary>Trusts PartnerGate at <paramref name="authority"/> for tokens issued to <paramref name="audience"/>. Returns the authentication builder, for further schemes beside PartnerGate's.</summary>
    public static AuthenticationBuilder AddPartnerGateResourceServer(this IServiceCollection services, string authority, string audience) =>
        services.AddPartnerGateResourceServer(authority, audience, _ => { });

    /// <summary>
    /// Trusts PartnerGate at <paramref name="authority"/> for tokens issued to <paramref name="audience"/>, with
    /// further settings (credentials, revocation feed, clock skew, backchannel). Invalid settings stop the host at start-up.
    /// </summary>
    public static AuthenticationBuilder AddPartnerGateResourceServer(
        this IServiceCollection services, string authority, string audience, Action<PartnerGateResourceServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PartnerGateResourceServerOptions>()
            .Configure(options =>
            {
                options.Authority = authority;
                options.Audience = audience;
                configure(options);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PartnerGateResourceServerOptions>, PartnerGateResourceServerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<JwtBearerOptions>, ConfigurePartnerGateJwtBearer>());

        var authentication = services.AddAuthentication(PartnerGateResourceServerDefaults.AuthenticationScheme)
            .AddJwtBearer(PartnerGateResourceServerDefaults.AuthenticationScheme, _ => { });

        // Deny by default: an endpoint someone forgot to protect still needs a valid PartnerGate token.
        // Mark a public endpoint with AllowAnonymous; an API may also set its own fallback policy after this call.
        services.AddAuthorization(options => options.FallbackPolicy ??= new AuthorizationPolicyBuilder(PartnerGateResourceServerDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .Build());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ScopeAuthorizationHandler>());

        // The revocation feed: followed in the background, checked on every validated token (see RevocationGuard).
        services.TryAddSingleton<RevocationFeedMonitor>();
        services.TryAddSingleton<IRevocationFeedStatus>(provider => provider.GetRequiredService<RevocationFeedMonitor>());
        services.TryAddSingleton<FeedBackchannel>();
        services.TryAddSingleton<IntrospectionClient>();
        services.TryAddSingleton<RevocationGuard>();
        services.TryAddTransient(typeof(RevocationCheckingEvents<>));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, PostConfigureRevocationEvents>());
        services.AddHostedService<RevocationFeedClient>();

        // Replaces the framework's result handler (registered with TryAdd) to add the RFC 6750 insufficient_scope challenge.
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, InsufficientScopeResultHandler>();
        return authentication;
    }
}

