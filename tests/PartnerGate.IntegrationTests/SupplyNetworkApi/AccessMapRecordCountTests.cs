using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.ResourceServer;
using PartnerGate.Web.Features.AccessMap;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.SupplyNetworkApi;

/// <summary>
/// The access map's record counts against the real demo API: for each scope, the number the blast radius states for
/// BoltNut is the number of rows the API hands a BoltNut token with that scope.
/// </summary>
public sealed class AccessMapRecordCountTests(KestrelPortal portal) : IClassFixture<KestrelPortal>, IAsyncLifetime
{
    private SupplyNetworkApiHost api = null!;

    public async ValueTask InitializeAsync() => api = await SupplyNetworkApiHost.StartAsync(portal.Authority);

    public async ValueTask DisposeAsync() => await api.DisposeAsync();

    [Theory]
    [InlineData("/purchase-orders", "purchase-orders", "Purchase orders", "orders.read", "orders.read")]
    [InlineData("/purchase-orders?status=open", "purchase-orders", "Purchase orders", "orders.acknowledge", "orders.read orders.acknowledge")]
    [InlineData("/demand-forecasts", "demand-forecast", "Demand forecast", "forecast.read", "forecast.read")]
    [InlineData("/inventory", "inventory", "Inventory", "inventory.read", "inventory.read")]
    [InlineData("/line-telemetry", "line-telemetry", "Line telemetry", "telemetry.read", "telemetry.read")]
    [InlineData("/quality-records", "quality-records", "Quality records", "quality.read", "quality.read")]
    public async Task BlastRadiusRecords_EqualWhatTheApiServesBoltNut(string path, string resource, string resourceName, string counted, string scopes)
    {
        // Eight hours: the longest grant line telemetry's policy allows; the helper gives its two approvals.
        var client = await portal.CreateServiceClientAsync(TokenClients.BoltNut, (resource, scopes.Split(' '), TimeSpan.FromHours(8)));
        using var http = portal.CreateHttpClient();
        var token = await http.AccessTokenAsync(client, scopes.Split(' ')[0]);

        var served = await api.AllItemsAsync(path, token);
        var radius = await portal.SendAsync<Result<BlastRadius>>(new GetBlastRadiusQuery(DemoDataSeeder.BoltNutPartnerId), "admin@acme.example");

        Assert.True(radius.IsSuccess, radius.Error?.Message);
        var reached = Assert.Single(radius.Value.Now.Resources, r => r.Name == resourceName);
        Assert.True(reached.InDemoApi);
        Assert.NotEmpty(served);
        Assert.Equal(served.Count, Assert.Single(reached.Records, r => r.Scope == counted).Records);
    }
}
