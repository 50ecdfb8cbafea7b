using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Resources;
using PartnerGate.SupplyNetworkData;
using PartnerGate.Web.Features.AccessMap;

namespace PartnerGate.UnitTests.Web.AccessMap;

/// <summary>The map's layout (four columns, barycentre ordering), its CSV and the demo API's record reach, as pure functions.</summary>
public sealed class AccessMapLayoutTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Build_PutsEachKindInItsColumn_AndSharesResourceNodes()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var orders = Guid.NewGuid();
        var graph = AccessMapLayout.Build([Grant(a, "A", "a-client", orders), Grant(b, "B", "b-client", orders)]);

        Assert.Equal(2, graph.Nodes.Count(n => n.Column == AccessMapColumn.Partner));
        Assert.Equal(2, graph.Nodes.Count(n => n.Column == AccessMapColumn.Holder));
        Assert.Equal(2, graph.Nodes.Count(n => n.Column == AccessMapColumn.Grant));
        var resource = Assert.Single(graph.Nodes, n => n.Column == AccessMapColumn.Resource);
        Assert.Equal(new[] { a, b }.Order(), resource.PartnerIds.Order());
        Assert.Equal(6, graph.Edges.Count);
        Assert.All(graph.Nodes, n => Assert.Equal((int)n.Column * (AccessMapLayout.NodeWidth + AccessMapLayout.ColumnGap), n.X));
        Assert.Equal(AccessMapGraph.Empty, AccessMapLayout.Build([]));
    }

    [Fact]
    public void Build_OrdersColumnsByBarycentre_RemovingAvoidableCrossings()
    {
        // Alphabetical order would cross: partner "A" holds the resource that sorts last, "B" the one that sorts first.
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var zulu = Guid.NewGuid();
        var alpha = Guid.NewGuid();
        var grants = new[]
        {
            Grant(a, "A", "a1", zulu, "Zulu"), Grant(a, "A", "a2", zulu, "Zulu"),
            Grant(b, "B", "b1", alpha, "Alpha"), Grant(b, "B", "b2", alpha, "Alpha"),
        };

        var graph = AccessMapLayout.Build(grants);

        Assert.Equal(0, graph.Crossings);
        Assert.Equal(0, CrossingsDrawn(graph));
        var resources = graph.Nodes.Where(n => n.Column == AccessMapColumn.Resource).OrderBy(n => n.Y).Select(n => n.Label);
        var partners = graph.Nodes.Where(n => n.Column == AccessMapColumn.Partner).OrderBy(n => n.Y).Select(n => n.Label);
        Assert.Equal(partners.First() == "A" ? new[] { "Zulu", "Alpha" } : new[] { "Alpha", "Zulu" }, resources);
    }

    [Fact]
    public void CountCrossings_CountsEachCrossingPairOnce()
    {
        Assert.Equal(0, AccessMapLayout.CountCrossings([(0, 0), (1, 1), (2, 2)]));
        Assert.Equal(1, AccessMapLayout.CountCrossings([(0, 1), (1, 0)]));
        Assert.Equal(3, AccessMapLayout.CountCrossings([(0, 2), (1, 1), (2, 0)]));
        Assert.Equal(0, AccessMapLayout.CountCrossings([(0, 0), (0, 1)]));
    }

    [Fact]
    public void Build_UpcomingGrantsAreDashedLines_AndNamedUpcoming()
    {
        var partner = Guid.NewGuid();
        var graph = AccessMapLayout.Build([Grant(partner, "A", "client", Guid.NewGuid(), upcoming: true)]);

        Assert.All(graph.Edges, e => Assert.True(e.Upcoming));
        var grant = Assert.Single(graph.Nodes, n => n.Column == AccessMapColumn.Grant);
        Assert.True(grant.Upcoming);
        Assert.StartsWith("Upcoming grant of client: orders.read on Resource, starts 26 Nov 2026 18:00 UTC", grant.AccessibleName, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("Smith, Jones", "\"Smith, Jones\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData(" padded", "\" padded\"")]
    [InlineData("", "")]
    public void CsvField_QuotesAndDefusesFormulas(string value, string expected) => Assert.Equal(expected, ExportAccessMap.Field(value));

    [Fact]
    public void Csv_HasHeaderAndOneRowPerGrant_WithCrlf()
    {
        var grant = Grant(Guid.NewGuid(), "Smith, Jones & Co", "erp", Guid.NewGuid());

        var csv = ExportAccessMap.ToCsv([grant]);

        var lines = csv.Split("\r\n");
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Join(',', ExportAccessMap.Columns), lines[0]);
        Assert.StartsWith("\"Smith, Jones & Co\",erp,API client,Resource,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",Active,2026-11-26T11:00:00Z,2026-12-02T12:00:00Z," + grant.GrantId, lines[1], StringComparison.Ordinal);
        Assert.Equal(string.Empty, lines[2]);
    }

    [Fact]
    public void Reach_CountsEachScopesDataSet_AndOrdersOnce()
    {
        var anchor = new DateOnly(2026, 11, 23);
        var data = SupplyNetworkDataGenerator.Generate(DemoPartners.Find(DemoPartners.BoltNutId)!, anchor);

        var (scopes, distinct) = SupplyNetworkReach.Count(DemoPartners.BoltNutId, ["orders.read", "orders.acknowledge", "telemetry.read", "quality.write", "orders.read"], anchor);
        var (unknown, none) = SupplyNetworkReach.Count(Guid.NewGuid(), ["orders.read"], anchor);

        Assert.Equal(["orders.read", "orders.acknowledge", "telemetry.read"], scopes.Select(s => s.Scope));
        Assert.Equal(data.PurchaseOrders.Count, scopes[0].Records);
        Assert.Equal(data.PurchaseOrders.Count(o => o.Status == PurchaseOrderStatus.Open), scopes[1].Records);
        Assert.Equal(data.LineTelemetry.Count, scopes[2].Records);
        Assert.Equal(data.PurchaseOrders.Count + data.LineTelemetry.Count, distinct);
        Assert.Equal((0, 0), (Assert.Single(unknown).Records, none));
        Assert.True(SupplyNetworkReach.Serves("https://supply.acme.example/line-telemetry"));
        Assert.False(SupplyNetworkReach.Serves("https://other.example/line-telemetry"));
    }

    private static int CrossingsDrawn(AccessMapGraph graph)
    {
        // Count from the drawn coordinates, not from the layout's own bookkeeping.
        var crossings = 0;
        foreach (var group in graph.Edges.GroupBy(e => e.X1))
        {
            var edges = group.ToList();
            crossings += AccessMapLayout.CountCrossings([.. edges.Select(e => ((int)e.Y1, (int)e.Y2))]);
        }

        return crossings;
    }

    private static AccessMapGrant Grant(Guid partnerId, string partnerName, string clientId, Guid resourceId, string resourceName = "Resource", bool upcoming = false) =>
        new(Guid.NewGuid(), partnerId, partnerName, SubjectKind.Client, clientId, clientId, resourceId, resourceName,
            "https://supply.acme.example/purchase-orders", Sensitivity.Medium, ["orders.read"],
            upcoming ? Now.AddHours(6) : Now.AddHours(-1), upcoming ? Now.AddHours(10) : Now.AddDays(6), upcoming);
}
