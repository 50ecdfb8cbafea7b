using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerGate.ResourceServer;
using PartnerGate.SupplyNetworkApi;
using PartnerGate.SupplyNetworkApi.Data;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.SupplyNetworkApi;

/// <summary>
/// The demo supply-network API exactly as <c>dotnet run</c> builds it, on its own loopback port, trusting the
/// portal it is given, with the demo resource server's credentials (what the revocation feed
/// authenticates with).
/// </summary>
public sealed class SupplyNetworkApiHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private SupplyNetworkApiHost(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public SupplyNetworkStore Store => app.Services.GetRequiredService<SupplyNetworkStore>();

    /// <summary>The API's own JSON settings, so expected rows serialise exactly as the endpoints write them.</summary>
    public JsonSerializerOptions JsonOptions => app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    public static async Task<SupplyNetworkApiHost> StartAsync(string authority, TimeProvider? clock = null)
    {
        // Production, so nothing of appsettings.Development.json applies; every setting the API needs is given here.
        var app = SupplyNetworkApplication.Build(["--environment", "Production"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["PartnerGate:Authority"] = authority,
                ["PartnerGate:Audience"] = "https://supply.acme.example/purchase-orders",
                ["PartnerGate:AdditionalAudiences:0"] = "https://supply.acme.example/demand-forecast",
                ["PartnerGate:AdditionalAudiences:1"] = "https://supply.acme.example/inventory",
                ["PartnerGate:AdditionalAudiences:2"] = "https://supply.acme.example/line-telemetry",
                ["PartnerGate:AdditionalAudiences:3"] = "https://supply.acme.example/quality-records",
                ["PartnerGate:ClientId"] = DemoDataSeeder.ResourceServerClientId,
                ["PartnerGate:ClientSecret"] = DemoDataSeeder.ResourceServerClientSecret,
            });
            if (clock is not null)
            {
                // A clock moved minutes ahead reads as minutes of feed silence, which alone would refuse every token:
                // a host that tests expiry follows no feed, so the refusal it sees is the token's own exp.
                builder.Services.AddSingleton(clock);
                builder.Configuration["PartnerGate:RevocationFeed:Enabled"] = "false";
            }
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        // Until its first sync the API fails closed (401 for every token): wait for it, as a load balancer would wait for /health.
        var feed = app.Services.GetRequiredService<IRevocationFeedStatus>();
        if (feed.Enabled)
        {
            await feed.WaitForCursorAsync(0).WaitAsync(TimeSpan.FromSeconds(30));
        }

        return new SupplyNetworkApiHost(app, new Uri(address));
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? token, string? jsonBody = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, string? token) => SendAsync(HttpMethod.Get, pathAndQuery, token);

    /// <summary>Every item of a list endpoint, page by page (the path may carry its own query string).</summary>
    public async Task<JsonArray> AllItemsAsync(string pathAndQuery, string token)
    {
        var items = new JsonArray();
        var separator = pathAndQuery.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        for (var offset = 0; ; offset += 200)
        {
            using var response = await GetAsync($"{pathAndQuery}{separator}offset={offset}&limit=200", token);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{pathAndQuery}: {(int)response.StatusCode} {body}");
            var page = JsonNode.Parse(body)!;
            foreach (var item in page["items"]!.AsArray())
            {
                items.Add(item!.DeepClone());
            }

            if (offset + 200 >= page["total"]!.GetValue<int>())
            {
                return items;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
