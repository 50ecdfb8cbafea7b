using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.ResourceServer;
using PartnerGate.SupplyNetworkData;
using PartnerGate.Web.Features.Demo;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;

namespace PartnerGate.IntegrationTests.SupplyNetworkApi;

/// <summary>
/// The demo supply-network API and the real portal, each on its own loopback port: the tokens are the portal's,
/// the API checks them with nothing but the resource-server library.
/// </summary>
public sealed class SupplyNetworkApiTests(KestrelPortal portal) : IClassFixture<KestrelPortal>, IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    // The longest grant line-telemetry's access policy allows (the other demo resources allow more).
    private static readonly TimeSpan Shift = TimeSpan.FromHours(8);

    private SupplyNetworkApiHost api = null!;

    public async ValueTask InitializeAsync() => api = await SupplyNetworkApiHost.StartAsync(portal.Authority);

    public async ValueTask DisposeAsync() => await api.DisposeAsync();

    /// <summary>Query strings that name another partner (FastFreight) in every way a careless API might read one.</summary>
    public static TheoryData<string> HostileQueries()
    {
        var fastFreight = DemoDataSeeder.FastFreightPartnerId.ToString();
        return
        [
            string.Empty,
            $"?partner_id={fastFreight}",
            $"?partnerId={fastFreight}",
            $"?partner_id={DemoDataSeeder.BoltNutPartnerId}&partner_id={fastFreight}&partnerId={fastFreight}",
            $"?PARTNER_ID={fastFreight}&partner={fastFreight}",
        ];
    }

    /// <summary>Each list endpoint with its resource and scope, and the query strings a caller might try to reach another partner's rows with.</summary>
    public static TheoryData<string, string, string, string> EndpointsAndQueries()
    {
        var data = new TheoryData<string, string, string, string>();
        (string Path, string Resource, string Scope)[] endpoints =
        [
            ("/purchase-orders", "purchase-orders", "orders.read"),
            ("/demand-forecasts", "demand-forecast", "forecast.read"),
            ("/inventory", "inventory", "inventory.read"),
            ("/quality-records", "quality-records", "quality.read"),
        ];
        foreach (var (path, resource, scope) in endpoints)
        {
            foreach (var query in HostileQueries().Select(row => row.Data))
            {
                data.Add(path, resource, scope, query);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EndpointsAndQueries))]
    public async Task ListEndpoint_ServesExactlyTheCallersRows_WhateverTheQueryString(string path, string resource, string scope, string query)
    {
        var boltNut = await portal.CreateServiceClientAsync(BoltNut, (resource, [scope], Shift));
        var fastFreight = await portal.CreateServiceClientAsync(FastFreight, (resource, [scope], Shift));

        var boltNutItems = await api.AllItemsAsync(path + query, await TokenAsync(boltNut, scope));
        var fastFreightItems = await api.AllItemsAsync(path + query, await TokenAsync(fastFreight, scope));

        Assert.True(JsonNode.DeepEquals(Expected(path, DemoDataSeeder.BoltNutPartnerId), boltNutItems), $"BoltNut got other rows than its own on {path}{query}");
        Assert.True(JsonNode.DeepEquals(Expected(path, DemoDataSeeder.FastFreightPartnerId), fastFreightItems), $"FastFreight got other rows than its own on {path}{query}");
        Assert.NotEmpty(boltNutItems);
        Assert.NotEmpty(fastFreightItems);
        var boltNutRows = boltNutItems.Select(i => i!.ToJsonString()).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(fastFreightItems, i => boltNutRows.Contains(i!.ToJsonString()));
    }

    /// <summary>
    /// Line telemetry needs TISAX, which of the demo partners only BoltNut holds: FastFreight cannot even get a token,
    /// so here BoltNut's answer is compared with its own rows and with FastFreight's, which it must not contain.
    /// </summary>
    [Theory]
    [MemberData(nameof(HostileQueries))]
    public async Task LineTelemetry_ServesExactlyTheCallersRows_WhateverTheQueryString(string query)
    {
        // Line telemetry needs two approvers and TISAX (only BoltNut holds it among the demo partners); the helper gives both approvals.
        var client = await portal.CreateServiceClientAsync(TokenClients.BoltNut, ("line-telemetry", ["telemetry.read"], TimeSpan.FromHours(8)));

        var items = await api.AllItemsAsync("/line-telemetry" + query, await TokenAsync(client, "telemetry.read"));

        Assert.True(JsonNode.DeepEquals(Expected("/line-telemetry", DemoDataSeeder.BoltNutPartnerId), items), $"BoltNut got other rows than its own on /line-telemetry{query}");
        var fastFreightRows = Expected("/line-telemetry", DemoDataSeeder.FastFreightPartnerId).Select(i => i!.ToJsonString()).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(fastFreightRows);
        Assert.DoesNotContain(items, i => fastFreightRows.Contains(i!.ToJsonString()));
    }

    [Fact]
    public async Task PurchaseOrders_FilterByStatus_AndPage()
    {
        var token = await DemoErpTokenAsync();
        var all = api.Store.PurchaseOrders(DemoDataSeeder.BoltNutPartnerId);

        var open = await api.AllItemsAsync("/purchase-orders?status=open", token);
        using var second = await api.GetAsync("/purchase-orders?offset=5&limit=5", token);
        var page = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;

        Assert.Equal(all.Where(o => o.Status == PurchaseOrderStatus.Open).Select(o => o.Id), open.Select(o => o!["id"]!.GetValue<string>()));
        Assert.All(open, o => Assert.Equal("open", o!["status"]!.GetValue<string>()));
        Assert.Equal(all.Skip(5).Take(5).Select(o => o.Id), page["items"]!.AsArray().Select(o => o!["id"]!.GetValue<string>()));
        Assert.Equal(5, page["offset"]!.GetValue<int>());
        Assert.Equal(5, page["limit"]!.GetValue<int>());
        Assert.Equal(all.Count, page["total"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/purchase-orders?limit=0", "limit")]
    [InlineData("/purchase-orders?limit=201", "limit")]
    [InlineData("/purchase-orders?limit=ten", "limit")]
    [InlineData("/purchase-orders?offset=-1", "offset")]
    [InlineData("/purchase-orders?status=1", "status")]
    [InlineData("/purchase-orders?status=cancelled", "status")]
    public async Task BadQuery_Is400ValidationProblem_NamingTheParameter(string pathAndQuery, string parameter)
    {
        var token = await DemoErpTokenAsync();

        using var response = await api.GetAsync(pathAndQuery, token);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(parameter), problem.ToJsonString());
    }

    [Fact]
    public async Task OrderById_OfAnotherPartner_Is404_LikeANonexistentOne()
    {
        var fastFreightOrder = api.Store.PurchaseOrders(DemoDataSeeder.FastFreightPartnerId)[0].Id;
        var fastFreight = await portal.CreateServiceClientAsync(FastFreight, ("purchase-orders", ["orders.read"], Day));
        var boltNutToken = await DemoErpTokenAsync();

        using var own = await api.GetAsync($"/purchase-orders/{fastFreightOrder}", await TokenAsync(fastFreight, "orders.read"));
        using var foreign = await api.GetAsync($"/purchase-orders/{fastFreightOrder}?partner_id={DemoDataSeeder.FastFreightPartnerId}", boltNutToken);
        using var nonexistent = await api.GetAsync("/purchase-orders/PO-BN-99999", boltNutToken);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(fastFreightOrder, JsonNode.Parse(await own.Content.ReadAsStringAsync())!["id"]!.GetValue<string>());
        var foreignProblem = await ProblemAsync(foreign, HttpStatusCode.NotFound);
        var nonexistentProblem = await ProblemAsync(nonexistent, HttpStatusCode.NotFound);
        Assert.Equal(nonexistentProblem["title"]!.GetValue<string>(), foreignProblem["title"]!.GetValue<string>());
        Assert.DoesNotContain("FastFreight", foreignProblem.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Acknowledge_WithOrdersReadOnly_Is403InsufficientScope()
    {
        var order = OpenOrder(DemoDataSeeder.BoltNutPartnerId);
        var token = await DemoErpTokenAsync();

        using var response = await api.SendAsync(HttpMethod.Post, $"/purchase-orders/{order}/acknowledge", token, PromiseBody(14));

        await ProblemAsync(response, HttpStatusCode.Forbidden);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("scope=\"orders.acknowledge\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Null(api.Store.PurchaseOrder(DemoDataSeeder.BoltNutPartnerId, order)!.Acknowledgement);
    }

    [Fact]
    public async Task Acknowledge_OpenOrder_Succeeds_ThenIs409()
    {
        var order = OpenOrder(DemoDataSeeder.BoltNutPartnerId);
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read", "orders.acknowledge"], Day));
        var token = await TokenAsync(client, "orders.read orders.acknowledge");
        var promised = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(14);

        using var first = await api.SendAsync(HttpMethod.Post, $"/purchase-orders/{order}/acknowledge", token, PromiseBody(14, "Split delivery in two lots."));
        using var read = await api.GetAsync($"/purchase-orders/{order}", token);
        using var second = await api.SendAsync(HttpMethod.Post, $"/purchase-orders/{order}/acknowledge", token, PromiseBody(21));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var acknowledged = JsonNode.Parse(await read.Content.ReadAsStringAsync())!;
        Assert.Equal("acknowledged", acknowledged["status"]!.GetValue<string>());
        Assert.Equal(promised.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            acknowledged["acknowledgement"]!["promisedDeliveryDate"]!.GetValue<string>());
        Assert.Equal("Split delivery in two lots.", acknowledged["acknowledgement"]!["note"]!.GetValue<string>());
        Assert.Equal(client.ClientId, acknowledged["acknowledgement"]!["acknowledgedBy"]!.GetValue<string>());
        await ProblemAsync(second, HttpStatusCode.Conflict);
        Assert.Equal(promised, api.Store.PurchaseOrder(DemoDataSeeder.BoltNutPartnerId, order)!.Acknowledgement!.PromisedDeliveryDate);
    }

    [Fact]
    public async Task Acknowledge_AnotherPartnersOrder_Is404_AndLeavesItOpen()
    {
        var order = OpenOrder(DemoDataSeeder.FastFreightPartnerId);
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.acknowledge"], Day));

        using var response = await api.SendAsync(HttpMethod.Post, $"/purchase-orders/{order}/acknowledge", await TokenAsync(client, "orders.acknowledge"), PromiseBody(14));

        await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Null(api.Store.PurchaseOrder(DemoDataSeeder.FastFreightPartnerId, order)!.Acknowledgement);
    }

    [Theory]
    [InlineData("{}", "promisedDeliveryDate")]
    [InlineData("{\"promisedDeliveryDate\":\"2001-01-01\"}", "promisedDeliveryDate")]
    [InlineData("{\"promisedDeliveryDate\":\"2999-01-01\"}", "promisedDeliveryDate")]
    [InlineData("{\"promisedDeliveryDate\":\"TODAY+7\",\"note\":\"NOTE501\"}", "note")]
    [InlineData("{\"promisedDeliveryDate\":\"not a date\"}", null)]
    [InlineData("{\"promisedDeliveryDate\":", null)]
    [InlineData("", null)]
    public async Task Acknowledge_BadBody_Is400Problem_AndChangesNothing(string body, string? field)
    {
        var order = OpenOrder(DemoDataSeeder.BoltNutPartnerId);
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.acknowledge"], Day));
        var json = body
            .Replace("TODAY+7", DateOnly.FromDateTime(DateTime.UtcNow).AddDays(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("NOTE501", new string('x', 501), StringComparison.Ordinal);

        using var response = await api.SendAsync(HttpMethod.Post, $"/purchase-orders/{order}/acknowledge", await TokenAsync(client, "orders.acknowledge"), json);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        if (field is not null)
        {
            Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
        }

        Assert.Null(api.Store.PurchaseOrder(DemoDataSeeder.BoltNutPartnerId, order)!.Acknowledgement);
    }

    [Fact]
    public async Task TokenForInventory_ReadsInventory_ButNotPurchaseOrders()
    {
        var client = await portal.CreateServiceClientAsync(BoltNut, ("inventory", ["inventory.read"], Day));
        var token = await TokenAsync(client, "inventory.read");
        Assert.Equal(["https://supply.acme.example/inventory"], Read(token).Audiences);

        using var inventory = await api.GetAsync("/inventory", token);
        using var orders = await api.GetAsync("/purchase-orders", token);

        Assert.Equal(HttpStatusCode.OK, inventory.StatusCode);
        await ProblemAsync(orders, HttpStatusCode.Forbidden);
        Assert.Contains("scope=\"orders.read\"", Assert.Single(orders.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingForgedUnsignedOrTamperedToken_Is401Problem()
    {
        var token = await DemoErpTokenAsync();
        var parts = token.Split('.');
        var kid = Read(token).Kid;
        using var attackerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Resign(token, new { alg = "ES256", typ = "at+jwt", kid }, data => attackerKey.SignData(data, HashAlgorithmName.SHA256));
        var unsigned = $"{Base64UrlEncoder.Encode(JsonSerializer.Serialize(new { alg = "none", typ = "at+jwt", kid }))}.{parts[1]}.";
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        payload["partner_id"] = JsonSerializer.SerializeToElement(DemoDataSeeder.FastFreightPartnerId.ToString());
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";

        foreach (var bad in new string?[] { null, forged, unsigned, tampered, "not-a-jwt" })
        {
            using var response = await api.GetAsync("/purchase-orders", bad);
            await ProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        using var valid = await api.GetAsync("/purchase-orders", token);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task ExpiredToken_Is401_OnceTheSkewHasPassed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var timedApi = await SupplyNetworkApiHost.StartAsync(portal.Authority, clock);
        var token = await DemoErpTokenAsync();

        using var fresh = await timedApi.GetAsync("/purchase-orders", token);
        clock.SetUtcNow(new DateTimeOffset(Read(token).ValidTo, TimeSpan.Zero) + TimeSpan.FromSeconds(31));
        using var expired = await timedApi.GetAsync("/purchase-orders", token);

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        await ProblemAsync(expired, HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(expired.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_IsAnonymous_AndUnknownPathsAreProblems()
    {
        var token = await DemoErpTokenAsync();

        using var health = await api.GetAsync("/health", token: null);
        using var unknown = await api.GetAsync("/purchase-orders-export", token);
        using var wrongMethod = await api.SendAsync(HttpMethod.Delete, "/purchase-orders", token);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("healthy", JsonNode.Parse(await health.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
        await ProblemAsync(unknown, HttpStatusCode.NotFound);
        await ProblemAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task TwoInstances_ServeIdenticalData()
    {
        await using var other = await SupplyNetworkApiHost.StartAsync(portal.Authority);
        var token = await DemoErpTokenAsync();

        using var fromFirst = await api.GetAsync("/purchase-orders?limit=200", token);
        using var fromSecond = await other.GetAsync("/purchase-orders?limit=200", token);

        Assert.Equal(await fromFirst.Content.ReadAsStringAsync(), await fromSecond.Content.ReadAsStringAsync());
        foreach (var partner in DemoPartners.All)
        {
            Assert.Equal(JsonSerializer.Serialize(api.Store.For(partner.Id), api.JsonOptions), JsonSerializer.Serialize(other.Store.For(partner.Id), other.JsonOptions));
        }
    }

    [Fact]
    public void EveryDemoPartnerHasRowsInEveryDataSet_AndAnUnknownPartnerNone()
    {
        foreach (var partner in DemoPartners.All)
        {
            var data = api.Store.For(partner.Id);
            Assert.NotEmpty(data.PurchaseOrders);
            Assert.All(data.DemandForecasts, f => Assert.Equal(12, f.Weeks.Count));
            Assert.Contains(data.Inventory, i => i.LocationKind == InventoryLocationKind.Consignment);
            Assert.NotEmpty(data.LineTelemetry);
            Assert.Contains(data.QualityRecords, r => r.Kind == QualityRecordKind.NonConformance);
        }

        Assert.Equal(DemoDataSeeder.BoltNutPartnerId, DemoPartners.BoltNutId);
        Assert.Equal(DemoDataSeeder.FastFreightPartnerId, DemoPartners.FastFreightId);
        Assert.Equal(DemoDataSeeder.SensorTechPartnerId, DemoPartners.SensorTechId);
        Assert.Same(PartnerDataSet.Empty, api.Store.For(Guid.NewGuid()));
    }

    private JsonArray Expected(string path, Guid partnerId)
    {
        var data = api.Store.For(partnerId);
        object rows = path switch
        {
            "/purchase-orders" => api.Store.PurchaseOrders(partnerId),
            "/demand-forecasts" => data.DemandForecasts,
            "/inventory" => data.Inventory,
            "/line-telemetry" => data.LineTelemetry,
            "/quality-records" => data.QualityRecords,
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, null),
        };
        return JsonNode.Parse(JsonSerializer.Serialize(rows, rows.GetType(), api.JsonOptions))!.AsArray();
    }

    private string OpenOrder(Guid partnerId) =>
        api.Store.PurchaseOrders(partnerId).First(o => o.Status == PurchaseOrderStatus.Open && o.Acknowledgement is null).Id;

    private static string PromiseBody(int daysAhead, string? note = null) => JsonSerializer.Serialize(new
    {
        promisedDeliveryDate = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(daysAhead).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        note,
    });

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()), body);
        return problem;
    }

    /// <summary>The seeded demo client, as the README's curl line uses it: orders.read on purchase-orders only.</summary>
    private async Task<string> DemoErpTokenAsync()
    {
        using var http = portal.CreateHttpClient();
        return await http.AccessTokenAsync(new TestClient(DemoDataSeeder.ErpClientId, DemoDataSeeder.ErpClientSecret, DemoDataSeeder.BoltNutPartnerId, []), "orders.read");
    }

    private async Task<string> TokenAsync(TestClient client, string scope)
    {
        using var http = portal.CreateHttpClient();
        return await http.AccessTokenAsync(client, scope);
    }

    // The portal's payload under a header and signature of the attacker's choosing.
    private static string Resign(string token, object header, Func<byte[], byte[]> sign)
    {
        var signingInput = Base64UrlEncoder.Encode(JsonSerializer.Serialize(header)) + "." + token.Split('.')[1];
        return signingInput + "." + Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(signingInput)));
    }
}
