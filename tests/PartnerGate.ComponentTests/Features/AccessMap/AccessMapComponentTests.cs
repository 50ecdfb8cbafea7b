using Bunit;
using Microsoft.AspNetCore.Components.Web;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.SupplyNetworkData;
using PartnerGate.Web.Features.AccessMap;

namespace PartnerGate.ComponentTests.Features.AccessMap;

/// <summary>The map's drawing, legend and blast radius panel: accessible names, words beside colours, selection and the kill-switch link.</summary>
public sealed class AccessMapComponentTests : MudComponentTest
{
    private static readonly Guid BoltNut = new("b0170000-0000-4000-8000-000000000001");
    private static readonly Guid FastFreight = new("fa570000-0000-4000-8000-000000000002");
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Guid> ResourceIds = new(StringComparer.Ordinal);

    private static readonly AccessMapGrant[] Grants =
    [
        Grant(BoltNut, "BoltNut Supply", SubjectKind.Client, "boltnut-erp", "Purchase orders", Sensitivity.Medium, "orders.read", upcoming: false),
        Grant(BoltNut, "BoltNut Supply", SubjectKind.User, "Bob Nut (bob@boltnut.example)", "Line telemetry", Sensitivity.High, "telemetry.read", upcoming: true),
        Grant(FastFreight, "FastFreight Logistics", SubjectKind.Client, "fastfreight-tms", "Inventory", Sensitivity.Low, "inventory.read", upcoming: false),
    ];

    [Fact]
    public void Graph_EveryNodeIsAFocusableButton_WithAnAccessibleName()
    {
        var graph = Render<AccessMapGraphView>(p => p.Add(c => c.Graph, AccessMapLayout.Build(Grants)));

        var nodes = graph.FindAll("[data-testid=access-map-node]");
        Assert.Equal(2 + 3 + 3 + 3, nodes.Count);
        Assert.All(nodes, node =>
        {
            Assert.Equal("0", node.GetAttribute("tabindex"));
            Assert.Equal("button", node.GetAttribute("role"));
            Assert.False(string.IsNullOrWhiteSpace(node.GetAttribute("aria-label")));
        });
        Assert.Contains(nodes, n => n.GetAttribute("aria-label") == "Partner BoltNut Supply, 2 grants");
        Assert.Contains(nodes, n => n.GetAttribute("aria-label") == "API client boltnut-erp of BoltNut Supply, 1 grant");
        Assert.Contains(nodes, n => n.GetAttribute("aria-label")!.StartsWith("Upcoming grant of Bob Nut (bob@boltnut.example): telemetry.read on Line telemetry, starts", StringComparison.Ordinal));
    }

    [Fact]
    public void Resources_SaySensitivityInWords_BesideTheirColour_AndTheLegendNamesEveryColour()
    {
        var graph = Render<AccessMapGraphView>(p => p.Add(c => c.Graph, AccessMapLayout.Build(Grants)));

        var telemetry = graph.FindAll("[data-node-kind=resource]").Single(n => n.GetAttribute("aria-label")!.Contains("Line telemetry", StringComparison.Ordinal));
        Assert.Contains("High sensitivity", telemetry.GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Contains("High sensitivity", telemetry.TextContent, StringComparison.Ordinal);
        Assert.Contains(telemetry.QuerySelectorAll("rect"), r => r.GetAttribute("fill") == SensitivityLegend.Colour(Sensitivity.High));
        foreach (var sensitivity in Enum.GetValues<Sensitivity>())
        {
            var entry = graph.Find($"[data-testid=legend-{sensitivity.ToString().ToLowerInvariant()}]");
            Assert.Equal($"{sensitivity} sensitivity", entry.TextContent.Trim());
            Assert.Contains(SensitivityLegend.Colour(sensitivity), entry.InnerHtml, StringComparison.Ordinal);
        }

        Assert.Equal(4, Enum.GetValues<Sensitivity>().Select(SensitivityLegend.Colour).Distinct().Count());
    }

    [Fact]
    public void UpcomingGrants_AreDashed_AndSaySo()
    {
        var graph = Render<AccessMapGraphView>(p => p.Add(c => c.Graph, AccessMapLayout.Build(Grants)));

        var grants = graph.FindAll("[data-node-kind=grant]");
        var upcoming = grants.Single(n => n.GetAttribute("aria-label")!.StartsWith("Upcoming", StringComparison.Ordinal));
        var active = grants.Single(n => n.GetAttribute("aria-label")!.Contains("orders.read", StringComparison.Ordinal));
        Assert.Equal("6 4", upcoming.QuerySelector("rect")!.GetAttribute("stroke-dasharray"));
        Assert.Contains("upcoming", upcoming.TextContent, StringComparison.Ordinal);
        Assert.Null(active.QuerySelector("rect")!.GetAttribute("stroke-dasharray"));
        Assert.Contains("active", active.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void SuspendedGrants_AreDottedAndGrey_SayWhy_AndTheBlastRadiusNamesThem()
    {
        SignInAs(Roles.Approver);
        var suspended = Grant(BoltNut, "BoltNut Supply", SubjectKind.Client, "boltnut-erp", "Line telemetry", Sensitivity.High, "telemetry.read", upcoming: false)
            with { SuspendedBecause = "certification lapsed" };
        var graph = Render<AccessMapGraphView>(p => p.Add(c => c.Graph, AccessMapLayout.Build([.. Grants, suspended])));

        var node = graph.FindAll("[data-node-kind=grant]").Single(n => n.GetAttribute("aria-label")!.StartsWith("Suspended", StringComparison.Ordinal));
        Assert.StartsWith("Suspended grant of boltnut-erp (certification lapsed): telemetry.read on Line telemetry, not usable now", node.GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Equal("2 4", node.QuerySelector("rect")!.GetAttribute("stroke-dasharray"));
        Assert.Contains("suspended · certification lapsed", node.TextContent, StringComparison.Ordinal);
        Assert.Contains("suspended (held, not usable now), dotted", graph.Find("[data-testid=access-map-legend]").TextContent, StringComparison.Ordinal);

        var table = Render<AccessMapTable>(p => p.Add(c => c.Grants, new[] { suspended }));
        Assert.Contains("Suspended (certification lapsed)", table.Find("tbody tr").TextContent, StringComparison.Ordinal);

        var panel = Render<BlastRadiusPanel>(p => p.Add(c => c.Radius, Radius() with { SuspendedGrants = 2 }));
        Assert.Equal("2 suspended grants not counted above: they reach nothing now, and resume without a new request if the certification is renewed or the partner reinstated.",
            panel.Find("[data-testid=blast-radius-suspended]").TextContent.Trim());
        Assert.Empty(Render<BlastRadiusPanel>(p => p.Add(c => c.Radius, Radius())).FindAll("[data-testid=blast-radius-suspended]"));
    }

    [Fact]
    public async Task SelectingAPartner_ByClickOrEnter_RaisesTheSelection()
    {
        var selected = new List<AccessMapNode>();
        var graph = Render<AccessMapGraphView>(p => p
            .Add(c => c.Graph, AccessMapLayout.Build(Grants))
            .Add(c => c.OnSelect, node => selected.Add(node)));

        await graph.Find("[aria-label='Partner BoltNut Supply, 2 grants']").ClickAsync(new());
        await graph.Find("[aria-label='Partner FastFreight Logistics, 1 grant']").KeyDownAsync(new KeyboardEventArgs { Key = "Enter" });
        await graph.Find("[aria-label='Partner FastFreight Logistics, 1 grant']").KeyDownAsync(new KeyboardEventArgs { Key = "a" });

        Assert.Equal([(AccessMapColumn.Partner, BoltNut), (AccessMapColumn.Partner, FastFreight)], selected.Select(n => (n.Column, n.PartnerIds.Single())));
    }

    [Fact]
    public void SelectedPartner_IsPressed_AndOtherPartnersAreDimmed()
    {
        var built = AccessMapLayout.Build(Grants);
        var graph = Render<AccessMapGraphView>(p => p
            .Add(c => c.Graph, built)
            .Add(c => c.SelectedKey, "partner:" + BoltNut)
            .Add(c => c.SelectedPartnerId, BoltNut));

        Assert.Equal("true", graph.Find("[aria-label='Partner BoltNut Supply, 2 grants']").GetAttribute("aria-pressed"));
        Assert.Equal("false", graph.Find("[aria-label='Partner FastFreight Logistics, 1 grant']").GetAttribute("aria-pressed"));
        Assert.Equal("0.35", graph.Find("[aria-label='Partner FastFreight Logistics, 1 grant']").GetAttribute("opacity"));
        Assert.Equal("1", graph.Find("[aria-label='Partner BoltNut Supply, 2 grants']").GetAttribute("opacity"));
    }

    [Fact]
    public void BlastRadius_ShowsResourcesScopesAndRecords_NowAndWithin24Hours()
    {
        SignInAs(Roles.Approver);

        var panel = Render<BlastRadiusPanel>(p => p.Add(c => c.Radius, Radius()));

        Assert.Equal("Blast radius of BoltNut Supply", panel.Find("[data-testid=blast-radius]").GetAttribute("aria-label"));
        var now = panel.Find("[data-testid=reach-now]");
        Assert.Contains("Purchase orders", now.TextContent, StringComparison.Ordinal);
        Assert.Contains("orders.read: 24 purchase orders", now.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Line telemetry", now.TextContent, StringComparison.Ordinal);
        Assert.Equal("24 records in the demo supply-network API", Squash(panel.Find("[data-testid=reach-now] [data-testid=reach-records]").TextContent));
        var later = panel.Find("[data-testid=reach-within-24h]");
        Assert.Contains("Line telemetry", later.TextContent, StringComparison.Ordinal);
        Assert.Contains("High", later.TextContent, StringComparison.Ordinal);
        Assert.Contains("telemetry.read: 288 telemetry readings", later.TextContent, StringComparison.Ordinal);
        Assert.Equal("312 records in the demo supply-network API", Squash(later.QuerySelector("[data-testid=reach-records]")!.TextContent));
        Assert.Equal("2 resources, 2 scopes through 2 grants of 2 users and API clients.", later.QuerySelector("[data-testid=reach-summary]")!.TextContent.Trim());
        Assert.Contains("kill switch would revoke 3 grants", panel.Find("[data-testid=blast-radius-kill-switch-scope]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 pending request", panel.Find("[data-testid=blast-radius-kill-switch-scope]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void KillSwitchLink_OnlyForAdministrators()
    {
        SignInAs(Roles.Administrator);

        var panel = Render<BlastRadiusPanel>(p => p.Add(c => c.Radius, Radius()));

        var link = panel.Find("[data-testid=kill-switch-link]");
        Assert.Equal($"/kill-switches?kind=partner&target={BoltNut}", link.GetAttribute("href"));
        Assert.Contains("Kill switch for BoltNut Supply", link.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Roles.Approver, false)]
    [InlineData(Roles.PartnerAdmin, true)]
    public void KillSwitchLink_HiddenFromApproversAndPartnerAdmins(string role, bool partner)
    {
        SignInAs(role, partner ? BoltNut : null);

        var panel = Render<BlastRadiusPanel>(p => p.Add(c => c.Radius, Radius()));

        Assert.Empty(panel.FindAll("[data-testid=kill-switch-link]"));
        Assert.DoesNotContain("/kill-switches", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_HasColumnHeadersAndRowHeaders_ForScreenReaders()
    {
        var table = Render<AccessMapTable>(p => p.Add(c => c.Grants, Grants));

        Assert.NotNull(table.Find("table caption"));
        Assert.Equal(["Partner", "Holder", "Resource", "Sensitivity", "Scopes", "State", "Starts", "Ends"],
            table.FindAll("thead th[scope=col]").Select(th => th.TextContent.Trim()));
        Assert.Equal(3, table.FindAll("tbody th[scope=row]").Count);
        Assert.Contains(table.FindAll("tbody tr"), row => row.TextContent.Contains("Upcoming", StringComparison.Ordinal)
            && row.TextContent.Contains("Line telemetry", StringComparison.Ordinal) && row.TextContent.Contains("High", StringComparison.Ordinal));
    }

    private static BlastRadius Radius()
    {
        var orders = new ReachedResource(Guid.NewGuid(), "Purchase orders", "https://supply.acme.example/purchase-orders", Sensitivity.Medium,
            ["orders.read"], true, [new ScopeReach("orders.read", "purchase orders", 24)]);
        var telemetry = new ReachedResource(Guid.NewGuid(), "Line telemetry", "https://supply.acme.example/line-telemetry", Sensitivity.High,
            ["telemetry.read"], true, [new ScopeReach("telemetry.read", "telemetry readings", 288)]);
        return new BlastRadius(BoltNut, "BoltNut Supply", Now, Now.AddHours(24),
            new Reach([orders], 1, 1, 24), new Reach([telemetry, orders], 2, 2, 312), KillSwitchGrants: 3, PendingRequests: 1);
    }

    private static AccessMapGrant Grant(Guid partnerId, string partnerName, SubjectKind kind, string subject, string resource, Sensitivity sensitivity, string scope, bool upcoming) =>
        new(Guid.NewGuid(), partnerId, partnerName, kind, subject, subject, ResourceId(resource), resource, "https://supply.acme.example/" + resource,
            sensitivity, [scope], upcoming ? Now.AddHours(6) : Now.AddHours(-1), upcoming ? Now.AddHours(14) : Now.AddDays(6), upcoming);

    // One id per resource name, so two grants on one resource meet at one node.
    private static Guid ResourceId(string name) => ResourceIds.GetOrAdd(name, _ => Guid.NewGuid());

    private static string Squash(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
