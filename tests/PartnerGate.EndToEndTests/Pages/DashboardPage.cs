using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /dashboard: one region per chart, named by its heading, with its figures as links.</summary>
public sealed class DashboardPage(IPage page)
{
    public ILocator Chart(string key) => page.Locator($"[data-chart={key}]");

    /// <summary>The rendered SVG of a chart (hidden from screen readers, so found by CSS, not by role).</summary>
    public ILocator ChartGraphic(string key) => Chart(key).Locator(".dashboard-chart svg").First;

    public ILocator Figure(string key, string label) => Chart(key).Locator($"li[data-figure='{label}']");

    public ILocator FigureLink(string key, string label) => Figure(key, label).GetByRole(AriaRole.Link);

    public async Task OpenAsync()
    {
        await page.GotoAsync("/dashboard");
        await new HomePage(page).WaitUntilInteractiveAsync();
    }
}
