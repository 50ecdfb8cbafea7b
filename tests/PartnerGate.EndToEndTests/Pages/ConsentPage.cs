using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /connect/consent (static SSR): a partner web app asks to act for the signed-in user.</summary>
public sealed class ConsentPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator Client => page.GetByTestId("consent-client");

    public ILocator RequestedAccess => page.GetByRole(AriaRole.List, new() { Name = "Requested access" });

    public ILocator Scope(string name) => page.Locator($"li[data-scope='{name}']");

    public async Task AcceptAsync() => await page.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

    public async Task DenyAsync() => await page.GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();
}
