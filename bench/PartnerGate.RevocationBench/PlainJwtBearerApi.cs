using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.ResourceServer;
using PartnerGate.SupplyNetworkApi;

namespace PartnerGate.RevocationBench;

/// <summary>
/// The peer of the validation-overhead benchmark: the demo API's very endpoints, data and pipeline
/// (<see cref="SupplyNetworkApplication.AddSupplyNetwork"/> / <see cref="SupplyNetworkApplication.MapSupplyNetwork"/>),
/// authenticated by plain JwtBearer as a developer would set it up from the docs — authority, audiences, no inbound
/// claim mapping — and a four-line scope handler. No revocation feed, no typ or algorithm pinning, no own lifetime check.
/// Runs as its own process (<c>serve-plain</c>), like the library's side.
/// </summary>
public static class PlainJwtBearerApi
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var section = builder.Configuration.GetSection(SupplyNetworkApplication.ConfigurationSection);
        var audiences = new[] { section["Audience"]! }.Concat(section.GetSection("AdditionalAudiences").Get<string[]>() ?? []).ToArray();

        // The library's scheme name, so the endpoints' RequireScope policies find it.
        builder.Services.AddAuthentication(PartnerGateResourceServerDefaults.AuthenticationScheme)
            .AddJwtBearer(PartnerGateResourceServerDefaults.AuthenticationScheme, options =>
            {
                options.Authority = section["Authority"];
                options.RequireHttpsMetadata = false;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.ValidAudiences = audiences;
            });
        builder.Services.AddAuthorization(options => options.FallbackPolicy = new AuthorizationPolicyBuilder(PartnerGateResourceServerDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser().Build());
        builder.Services.AddSingleton<IAuthorizationHandler, PlainScopeHandler>();
        builder.Services.AddSupplyNetwork();

        var app = builder.Build();
        app.MapSupplyNetwork();
        await app.RunAsync();
        return 0;
    }

    private sealed class PlainScopeHandler : AuthorizationHandler<ScopeRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
        {
            if (requirement.Scopes.All(context.User.GrantedScopes().Contains))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
