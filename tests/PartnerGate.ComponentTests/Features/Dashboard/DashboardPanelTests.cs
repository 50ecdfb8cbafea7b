using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Features.Dashboard;

namespace PartnerGate.ComponentTests.Features.Dashboard;

/// <summary>Each chart's figures as text (what a screen reader reads), the links to the lists behind them, and the empty states.</summary>
public sealed class DashboardPanelTests : MudComponentTest
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid BoltNut = Guid.Parse("b0170000-0000-4000-8000-000000000001");
    private static readonly Guid FastFreight = Guid.Parse("fa570000-0000-4000-8000-000000000002");

    private static DashboardFigures Figures() => new(
        Now,
        new PendingFigures(7, Now.AddDays(-3).AddHours(-4), [new(0, 1, 1), new(1, 4, 2), new(4, 24, 2), new(24, null, 2)]),
        new DecisionFigures(30, 3, TimeSpan.FromHours(2).Add(TimeSpan.FromMinutes(15))),
        [new(Sensitivity.Low, 3), new(Sensitivity.Medium, 3), new(Sensitivity.High, 1), new(Sensitivity.Critical, 0)],
        [new(BoltNut, "BoltNut Supply", 4), new(FastFreight, "FastFreight Logistics", 3)],
        new ExpiringFigures(24, 5, [new(0, 1, 2), new(1, 4, 1), new(4, 12, 1), new(12, 24, 1)]),
        Enumerable.Range(-6, 7).Select(d => new DayCount(DateOnly.FromDateTime(Now.AddDays(d).UtcDateTime), d == -3 ? 2 : d == 0 ? 1 : 0)).ToList());

    private static DashboardFigures EmptyFigures() => new(
        Now,
        new PendingFigures(0, null, [new(0, 1, 0), new(1, 4, 0), new(4, 24, 0), new(24, null, 0)]),
        new DecisionFigures(30, 0, null),
        [new(Sensitivity.Low, 0), new(Sensitivity.Medium, 0), new(Sensitivity.High, 0), new(Sensitivity.Critical, 0)],
        [],
        new ExpiringFigures(24, 0, [new(0, 1, 0), new(1, 4, 0), new(4, 12, 0), new(12, 24, 0)]),
        Enumerable.Range(-6, 7).Select(d => new DayCount(DateOnly.FromDateTime(Now.AddDays(d).UtcDateTime), 0)).ToList());

    private static IReadOnlyList<(string Text, string? Href)> FigureLines(IRenderedComponent<DashboardPanel> panel, string chart) =>
        panel.FindAll($"[data-chart={chart}] li").Select(li => (li.TextContent.Trim(), li.QuerySelector("a")?.GetAttribute("href"))).ToList();

    private static string ListLink(IRenderedComponent<DashboardPanel> panel, string chart) =>
        panel.Find($"[data-chart={chart}] a[data-list-link]").GetAttribute("href")!;

    [Fact]
    public void Pending_ShowsCountOldestAndEachAgeBucketLinkedToTheInboxOfThatAge()
    {
        var panel = Render<DashboardPanel>(p => p.Add(c => c.Figures, Figures()));

        Assert.Equal("7 requests wait for a decision.", panel.Find("[data-chart=pending] [data-summary]").TextContent);
        Assert.Equal("Oldest waiting 3 days 4 hours, since 23 Nov 2026 08:00 UTC.", panel.Find("[data-oldest]").TextContent);
        Assert.Equal(
            [("Waiting under 1 h: 1", "/inbox?scope=all&maxAgeHours=1"), ("Waiting 1–4 h: 2", "/inbox?scope=all&minAgeHours=1&maxAgeHours=4"),
             ("Waiting 4–24 h: 2", "/inbox?scope=all&minAgeHours=4&maxAgeHours=24"), ("Waiting 24 h or more: 2", "/inbox?scope=all&minAgeHours=24")],
            FigureLines(panel, "pending"));
        Assert.Equal("/inbox?scope=all", ListLink(panel, "pending"));
        Assert.Equal("/inbox?scope=all", panel.Find("[data-chart=pending] a.dashboard-chart").GetAttribute("href"));
        Assert.NotEmpty(panel.FindAll("[data-chart=pending] .dashboard-chart svg"));
    }

    [Fact]
    public void Median_SaysItsWindowAndHowManyDecisions()
    {
        var panel = Render<DashboardPanel>(p => p.Add(c => c.Figures, Figures()));

        Assert.Equal("2 hours 15 minutes", panel.Find("[data-median]").TextContent);
        Assert.Equal("over 3 decided requests", panel.Find("[data-decided]").TextContent);
        Assert.Contains("in the last 30 days", panel.Find("[data-chart=median]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Grants_BySensitivityAndPartner_LinkEachSliceToTheActiveGrantsList()
    {
        var panel = Render<DashboardPanel>(p => p.Add(c => c.Figures, Figures()));

        Assert.Equal(
            [("Low: 3", "/grants?status=active&sensitivity=Low"), ("Medium: 3", "/grants?status=active&sensitivity=Medium"),
             ("High: 1", "/grants?status=active&sensitivity=High"), ("Critical: 0", "/grants?status=active&sensitivity=Critical")],
            FigureLines(panel, "sensitivity"));
        Assert.Equal(
            [("BoltNut Supply: 4", $"/grants?status=active&partner={BoltNut}"), ("FastFreight Logistics: 3", $"/grants?status=active&partner={FastFreight}")],
            FigureLines(panel, "partner"));
        Assert.Equal("7 active grants.", panel.Find("[data-chart=sensitivity] [data-summary]").TextContent);
        Assert.Equal("/grants?status=active", ListLink(panel, "sensitivity"));
        Assert.Equal("/grants?status=active", ListLink(panel, "partner"));
    }

    [Fact]
    public void ExpiringAndRevocations_ShowEveryBucketAndDay_AndLinkToTheirLists()
    {
        var panel = Render<DashboardPanel>(p => p.Add(c => c.Figures, Figures()));

        Assert.Equal([("Within 1 h: 2", null), ("In 1–4 h: 1", null), ("In 4–12 h: 1", null), ("In 12–24 h: 1", null)], FigureLines(panel, "expiring"));
        Assert.Equal("/grants?expiresWithinHours=24", ListLink(panel, "expiring"));
        Assert.Equal(
            ["Fri 20 Nov: 0", "Sat 21 Nov: 0", "Sun 22 Nov: 0", "Mon 23 Nov: 2", "Tue 24 Nov: 0", "Wed 25 Nov: 0", "Thu 26 Nov: 1"],
            FigureLines(panel, "revocations").Select(f => f.Text));
        Assert.Equal("/grants?status=revoked&revokedWithinDays=7", ListLink(panel, "revocations"));
        Assert.Contains("3 grants revoked", panel.Find("[data-chart=revocations] [data-summary]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryChart_HasAHeadingNamingItsRegion_AndItsSvgHiddenFromScreenReaders()
    {
        var panel = Render<DashboardPanel>(p => p.Add(c => c.Figures, Figures()));

        var regions = panel.FindAll("[role=region]");
        Assert.Equal(["pending", "median", "sensitivity", "partner", "expiring", "revocations"], regions.Select(r => r.GetAttribute("data-chart")));
        foreach (var region in regions)
        {
            var heading = panel.Find($"#{region.GetAttribute("aria-labelledby")}");
            Assert.Equal("H2", heading.TagName);
        }

        Assert.Equal(5, panel.FindAll(".dashboard-chart").Count);
        Assert.All(panel.FindAll(".dashboard-chart"), chart => Assert.Equal("true", chart.GetAttribute("aria-hidden")));
        Assert.Equal(5, panel.FindAll(".dashboard-chart svg").Select(svg => svg.Closest(".dashboard-chart")).Distinct().Count());
    }

    [Fact]
    public void Empty_ShowsWordsInsteadOfCharts_AndKeepsTheListLinks()
    {
        var panel = Render<DashboardPanel>(p => p.Add(c => c.Figures, EmptyFigures()));

        Assert.Empty(panel.FindAll(".dashboard-chart"));
        Assert.Equal(
            ["No request is waiting for a decision.", "No decisions in the last 30 days.", "No grant is active.", "No partner holds an active grant.",
             "No active grant ends in the next 24 hours.", "No grant was revoked in the last 7 days."],
            panel.FindAll("[data-empty]").Select(e => e.TextContent));
        Assert.Empty(panel.FindAll("[data-oldest]"));
        Assert.Empty(FigureLines(panel, "partner"));
        Assert.Equal(7, FigureLines(panel, "revocations").Count);
        Assert.Equal(5, panel.FindAll("a[data-list-link]").Count);
    }
}

public sealed class FilterChipsTests : MudComponentTest
{
    [Fact]
    public void RemovingAChip_DropsItsParametersFromTheAddress_AndKeepsTheOthers()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/inbox?scope=all&minAgeHours=1&maxAgeHours=4");
        var chips = Render<FilterChips>(p => p.Add(c => c.Filters,
            [new ListFilter("All pending requests", "scope"), new ListFilter("Waiting 1–4 h", ["minAgeHours", "maxAgeHours"])]));

        Assert.Equal(["All pending requests", "Waiting 1–4 h"], chips.FindAll("[data-filter]").Select(c => c.TextContent.Trim()));
        chips.Find("[data-filter='minAgeHours maxAgeHours'] button").Click();

        Assert.Equal("http://localhost/inbox?scope=all", navigation.Uri);
    }

    [Fact]
    public void ClearAll_DropsEveryFilter_AndNoFiltersRenderNothing()
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/grants?status=active&sensitivity=High");
        var chips = Render<FilterChips>(p => p.Add(c => c.Filters, [new ListFilter("Status: active", "status"), new ListFilter("Sensitivity: High", "sensitivity")]));

        chips.FindAll("button").Single(b => b.TextContent.Trim() == "Clear all filters").Click();

        Assert.Equal("http://localhost/grants", navigation.Uri);
        Assert.Empty(Render<FilterChips>(p => p.Add(c => c.Filters, [])).Markup.Trim());
    }
}
