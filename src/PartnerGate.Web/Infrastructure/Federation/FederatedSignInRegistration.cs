using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Web.Infrastructure.Federation;

public static class FederatedSignInRegistration
{
    /// <summary>
    /// Partner sign-in through each partner's own OpenID Connect provider: one handler per provider row,
    /// added, reconfigured and removed at run time (no static <c>AddOpenIdConnect</c> scheme).
    /// </summary>
    public static IServiceCollection AddPartnerGateFederatedSignIn(this IServiceCollection services)
    {
        services.AddSingleton<PartnerIdentityProviderSchemes>();
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, PartnerOpenIdConnectOptions>();

        // What AddOpenIdConnect would register for its scheme: state/nonce protection, backchannel defaults.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
        services.AddHostedService<PartnerIdentityProviderStartup>();
        return services;
    }

    /// <summary>
    /// Before authentication: a sign-in or callback for a provider this node has not loaded, or loaded at an
    /// older version (another node may have registered or edited it), loads it first. It must be before: the
    /// authentication middleware creates every handler of the request, with its options, up front.
    /// </summary>
    public static IApplicationBuilder UsePartnerGateFederatedSignIn(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if ((ProviderOf(context.Request.Path.Value, PartnerIdentityProvider.CallbackPathPrefix) ??
                ProviderOf(context.Request.Path.Value, Features.Account.AccountEndpoints.FederatedChallengePath + "/")) is { } providerId)
            {
                await context.RequestServices.GetRequiredService<PartnerIdentityProviderSchemes>().EnsureCurrentAsync(providerId, context.RequestAborted);
            }

            await next(context);
        });

    private static Guid? ProviderOf(string? path, string prefix) =>
        path is not null && path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && path.Length >= prefix.Length + 32
        && Guid.TryParse(path.AsSpan(prefix.Length, 32), out var id)
            ? id
            : null;
}
