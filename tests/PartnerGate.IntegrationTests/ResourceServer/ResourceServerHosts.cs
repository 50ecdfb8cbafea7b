using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerGate.Data;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.ResourceServer;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.ResourceServer;

/// <summary>
/// The portal on a real loopback port, so a resource server fetches discovery and JWKS over HTTP exactly as a
/// manufacturer API would. Its own SQLite database: the tests create their own clients and grants.
/// </summary>
public class KestrelPortal : PartnerGateAppFactory, IAsyncLifetime
{
    public KestrelPortal()
        : base(DatabaseProvider.Sqlite)
    {
    }

    /// <summary>For tests that need another database provider or settings (e.g. a second node over the same database).</summary>
    protected KestrelPortal(DatabaseProvider provider, IDictionary<string, string?>? extraSettings = null)
        : base(provider, extraSettings: extraSettings)
    {
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The authority as a manufacturer would configure it: the portal's address without a trailing slash.</summary>
    public string Authority => BaseAddress.GetLeftPart(UriPartial.Authority);

    public new ValueTask InitializeAsync()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        return ValueTask.CompletedTask;
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };
}

/// <summary>A tiny manufacturer API built with nothing but the library, on its own loopback port.</summary>
public sealed class TestApiHost : IAsyncDisposable
{
    public const string OrdersPath = "/orders";
    public const string AcknowledgePath = "/orders/acknowledge";
    public const string ForecastsPath = "/forecasts";
    public const string ForecastsPolicy = "forecasts";
    public const string UnmarkedPath = "/unmarked";
    public const string HealthPath = "/health";

    private readonly WebApplication app;

    private TestApiHost(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The feed's status in this API, as a health endpoint would read it.</summary>
    public IRevocationFeedStatus Feed => app.Services.GetRequiredService<IRevocationFeedStatus>();

    /// <summary>
    /// Starts the API as the demo resource server (<c>supply-network-api</c>) following the portal's revocation feed,
    /// and by default waits until the feed has synced, so a test starts from a known state. <paramref name="configure"/>
    /// changes settings (silence bound and mode, a backchannel handler) after the defaults.
    /// </summary>
    public static async Task<TestApiHost> StartAsync(string authority, string audience, TimeProvider? timeProvider = null,
        Action<PartnerGateResourceServerOptions>? configure = null, bool waitForSync = true)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        builder.Services.AddPartnerGateResourceServer(authority, audience, options =>
        {
            options.ClientId = DemoDataSeeder.ResourceServerClientId;
            options.ClientSecret = DemoDataSeeder.ResourceServerClientSecret;
            configure?.Invoke(options);
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(ForecastsPolicy, policy => policy.RequireScope("forecasts.read"));

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet(OrdersPath, (ClaimsPrincipal user) => user.GetPartnerGateCaller() is { } caller
                ? Results.Ok(new { caller.PartnerId, caller.GrantId, caller.ClientId, caller.Subject, Scopes = caller.Scopes.Order().ToArray() })
                : Results.Forbid())
            .RequireScope("orders.read");
        app.MapPost(AcknowledgePath, () => Results.NoContent()).RequireScope("orders.read", "orders.acknowledge");
        app.MapGet(ForecastsPath, () => Results.NoContent()).RequireAuthorization(ForecastsPolicy);
        app.MapGet(UnmarkedPath, () => Results.NoContent());
        app.MapGet(HealthPath, () => Results.NoContent()).AllowAnonymous();

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new TestApiHost(app, new Uri(address));
        if (waitForSync && host.Feed.Enabled)
        {
            await host.Feed.WaitForCursorAsync(0).WaitAsync(TimeSpan.FromSeconds(15));
        }

        return host;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
