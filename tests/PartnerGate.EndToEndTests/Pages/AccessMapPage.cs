using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /access-map (interactive server rendering): the SVG graph, its filters, the blast radius and the table view.</summary>
public sealed class AccessMapPage(IPage page)
{
    public ILocator Graph => page.GetByTestId("access-map-graph");

    public ILocator Nodes => page.GetByTestId("access-map-node");

    /// <summary>A partner's node; its accessible name is "Partner {name}, {n} grants".</summary>
    public ILocator PartnerNode(string partnerName) => page.Locator($"[data-node-kind=partner][aria-label^='Partner {partnerName},']");

    public ILocator BlastRadius(string partnerName) => page.GetByRole(AriaRole.Region, new() { Name = $"Blast radius of {partnerName}" });

    public ILocator Now(string partnerName) => BlastRadius(partnerName).GetByTestId("reach-now");

    public ILocator Within24Hours(string partnerName) => BlastRadius(partnerName).GetByTestId("reach-within-24h");

    public ILocator KillSwitchLink(string partnerName) => BlastRadius(partnerName).GetByRole(AriaRole.Link, new() { Name = $"Kill switch for {partnerName}" });

    public ILocator Table => page.GetByTestId("access-map-table");

    public async Task OpenAsync()
    {
        await page.GotoAsync("/access-map");
        await new HomePage(page).WaitUntilInteractiveAsync();
        await Graph.WaitForAsync();
    }

    /// <summary>Selects a partner as a keyboard user would: focus its node, press Enter.</summary>
    public async Task SelectPartnerWithKeyboardAsync(string partnerName)
    {
        await PartnerNode(partnerName).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
    }

    public Task SelectPartnerAsync(string partnerName) => PartnerNode(partnerName).ClickAsync();

    public Task ShowTableAsync() => page.GetByRole(AriaRole.Button, new() { Name = "Table", Exact = true }).ClickAsync();
}
