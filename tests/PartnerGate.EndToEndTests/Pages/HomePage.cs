using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for the portal home (interactive server rendering).</summary>
public sealed class HomePage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 }).Or(page.Locator("h4")).First;

    public ILocator Figure(string name) => page.Locator($"[data-figure={name}]");

    public ILocator SignedInUser => page.GetByTestId("signed-in-user");

    public ILocator NavigationLink(string name) => page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = name });

    /// <summary>Waits until the Blazor circuit is live (the layout marks its first interactive render).</summary>
    public async Task WaitUntilInteractiveAsync() =>
        await page.Locator("#circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
}
