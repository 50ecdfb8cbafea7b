using System.Text.Json;
using System.Text.Json.Serialization;
using PartnerGate.ResourceServer;
using PartnerGate.SupplyNetworkApi.Data;
using PartnerGate.SupplyNetworkApi.Endpoints;

namespace PartnerGate.SupplyNetworkApi;

/// <summary>
/// The demo supply-network API: a manufacturer's resource server that trusts PartnerGate through the
/// resource-server library and nothing else. Built here rather than in Program so tests can start it on their own
/// port with their own configuration (two top-level Programs in one test project would collide).
/// </summary>
public static class SupplyNetworkApplication
{
    public const string ConfigurationSection = "PartnerGate";

    /// <summary>
    /// Builds the API from <paramref name="args"/> and the usual configuration sources. <paramref name="configure"/>
    /// runs before the configuration is read, so it may add configuration, replace the <see cref="TimeProvider"/> or
    /// choose the Kestrel endpoints.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        var section = builder.Configuration.GetSection(ConfigurationSection);
        builder.Services.AddPartnerGateResourceServer(section["Authority"] ?? string.Empty, section["Audience"] ?? string.Empty,
            options => section.Bind(options));

        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false)));
        builder.Services.AddSingleton<SupplyNetworkStore>();

        var app = builder.Build();

        // Every error is an RFC 9457 problem: an exception becomes a 500 problem without details, and the bare status
        // codes of authentication (401), authorization (403), routing (404, 405) and body binding (400, 415) get a body.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/health", () => TypedResults.Ok(new { status = "healthy" })).AllowAnonymous();

        var api = app.MapGroup(string.Empty).AddEndpointFilter<RequirePartnerCallerFilter>();
        api.MapPurchaseOrders();
        api.MapSupplyData();

        // Generate the data now rather than on the first call, so the first caller does not wait for it.
        _ = app.Services.GetRequiredService<SupplyNetworkStore>();
        return app;
    }
}
