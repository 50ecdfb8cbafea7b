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
        builder.Services.AddSupplyNetwork();

        var app = builder.Build();
        app.MapSupplyNetwork();
        return app;
    }

    /// <summary>
    /// Everything of the API except how it authenticates: the data, JSON and problem details. Separate so the validation
    /// benchmark can serve the very same endpoints behind plain JwtBearer as the peer of the library.
    /// </summary>
    public static IServiceCollection AddSupplyNetwork(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false)));
        services.AddSingleton<SupplyNetworkStore>();
        return services;
    }

    /// <summary>The pipeline and the endpoints, behind whatever authentication the host registered.</summary>
    public static WebApplication MapSupplyNetwork(this WebApplication app)
    {
        // Every error is an RFC 9457 problem: an exception becomes a 500 problem without details, and the bare status
        // codes of authentication (401), authorization (403), routing (404, 405) and body binding (400, 415) get a body.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        // Anonymous, for load balancers and operators: whether this API currently knows every revocation.
        app.MapGet("/health", (IServiceProvider services) => services.GetService<IRevocationFeedStatus>() is { } feed
            ? TypedResults.Ok(new HealthReport(feed.IsCurrent || !feed.Enabled ? "healthy" : "degraded",
                new FeedHealth(feed.Enabled, feed.Connected, feed.Synced, feed.IsCurrent, feed.LastMessageAt, feed.Cursor)))
            : TypedResults.Ok(new HealthReport("healthy", null))).AllowAnonymous();

        var api = app.MapGroup(string.Empty).AddEndpointFilter<RequirePartnerCallerFilter>();
        api.MapPurchaseOrders();
        api.MapSupplyData();

        // Generate the data now rather than on the first call, so the first caller does not wait for it.
        _ = app.Services.GetRequiredService<SupplyNetworkStore>();
        return app;
    }
}

/// <summary>The health answer: "degraded" while the revocation feed is not current (tokens are then refused or introspected).</summary>
public sealed record HealthReport(string Status, FeedHealth? RevocationFeed);

public sealed record FeedHealth(bool Enabled, bool Connected, bool Synced, bool Current, DateTimeOffset? LastMessageAt, long? Cursor);
