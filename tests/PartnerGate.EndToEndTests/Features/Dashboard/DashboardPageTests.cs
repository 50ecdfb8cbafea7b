using Microsoft.Playwright;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Dashboard;

public sealed class DashboardPageTests(PortalFixture portal)
{
    [Fact]
    public async Task Administrator_OpensDashboardFromHome_SeesTheCharts_AndAChartLinkLandsOnTheFilteredList()
    {
        var (page, _) = await portal.SignedInAsync("admin@acme.example");
        var dashboard = new DashboardPage(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Open the dashboard" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "/dashboard").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Active grants by sensitivity" })).ToBeVisibleAsync();
        foreach (var key in new[] { "pending", "median", "sensitivity", "partner", "expiring", "revocations" })
        {
            await Expect(dashboard.Chart(key)).ToBeVisibleAsync();
        }

        // The demo seeds BoltNut's ERP grant on purchase orders (Medium): the sensitivity and partner charts are drawn.
        await Expect(dashboard.ChartGraphic("sensitivity")).ToBeVisibleAsync();
        await Expect(dashboard.ChartGraphic("partner")).ToBeVisibleAsync();
        await Expect(dashboard.Figure("partner", "BoltNut Supply")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"BoltNut Supply: \d+"));
        await Expect(dashboard.Chart("revocations").Locator("li")).ToHaveCountAsync(7);
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "admin-dashboard.png"), FullPage = true });

        await dashboard.FigureLink("sensitivity", "Medium").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "/grants?status=active&sensitivity=Medium").ToString());
        await Expect(page.Locator("[data-filter=status]")).ToHaveTextAsync("Status: active");
        await Expect(page.Locator("[data-filter=sensitivity]")).ToHaveTextAsync("Sensitivity: Medium");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "client boltnut-erp" }).First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "admin-grants-filtered.png"), FullPage = true });

        // Removing a chip drops that filter from the address and the list.
        await page.Locator("[data-filter=sensitivity] button").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "/grants?status=active").ToString());
        await Expect(page.Locator("[data-filter=sensitivity]")).ToHaveCountAsync(0);
    }
}
