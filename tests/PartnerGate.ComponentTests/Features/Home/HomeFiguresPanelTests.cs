using Bunit;
using PartnerGate.Web.Features.Home;

namespace PartnerGate.ComponentTests.Features.Home;

public sealed class HomeFiguresPanelTests : MudComponentTest
{
    [Fact]
    public void Network_ShowsThreeCountsUnderStaffLabels()
    {
        var panel = Render<HomeFiguresPanel>(p => p.Add(c => c.Figures, new HomeFigures(FiguresScope.Network, null, 4, 12, 3)));

        Assert.Equal("4", panel.Find("[data-figure=pending]").TextContent);
        Assert.Equal("12", panel.Find("[data-figure=grants]").TextContent);
        Assert.Equal("3", panel.Find("[data-figure=partners]").TextContent);
        Assert.Equal(["Pending requests", "Active grants", "Active partners"],
            panel.FindAll("[role=group]").Select(g => g.GetAttribute("aria-label")));
    }

    [Fact]
    public void Partner_ShowsOrganisationNameInsteadOfPartnerCount()
    {
        var panel = Render<HomeFiguresPanel>(p => p.Add(c => c.Figures, new HomeFigures(FiguresScope.Partner, "BoltNut Supply", 2, 1, 1)));

        Assert.Equal("BoltNut Supply", panel.Find("[data-figure=partners]").TextContent);
        Assert.Contains("Your organisation's pending requests", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Personal_LabelsFiguresAsTheUsersOwn()
    {
        var panel = Render<HomeFiguresPanel>(p => p.Add(c => c.Figures, new HomeFigures(FiguresScope.Personal, "BoltNut Supply", 0, 0, 1)));

        Assert.Equal(["Your pending requests", "Your active grants", "Your organisation"],
            panel.FindAll("[role=group]").Select(g => g.GetAttribute("aria-label")));
    }
}
