using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /partners (interactive server rendering): partner cards, their sign-in method and the identity provider dialogs.</summary>
public sealed class PartnersPage(IPage page)
{
    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    public ILocator Card(string partnerName) => page.Locator($"[aria-label='{partnerName}']").Filter(new() { Has = page.GetByTestId("sign-in-method") });

    public ILocator SignInMethod(string partnerName) => Card(partnerName).GetByTestId("sign-in-method");

    public ILocator RedirectUri => Dialog.GetByTestId("redirect-uri");

    public ILocator TestSummary => Dialog.GetByTestId("connection-test-summary");

    public ILocator Check(string code) => Dialog.GetByTestId($"check-{code}");

    public async Task OpenAsync()
    {
        await page.GotoAsync("/partners");
        await new HomePage(page).WaitUntilInteractiveAsync();
    }

    public Task StartAddingProviderAsync(string partnerName) =>
        Card(partnerName).GetByRole(AriaRole.Button, new() { Name = $"Add identity provider for {partnerName}" }).ClickAsync();

    public Task TestSavedConnectionAsync(string partnerName) =>
        Card(partnerName).GetByRole(AriaRole.Button, new() { Name = $"Test connection of {partnerName}'s identity provider" }).ClickAsync();

    /// <summary>Fills the open provider dialog's required fields; the claim mapping keeps its defaults (email, name).</summary>
    public async Task FillProviderAsync(string name, string issuer, string clientId, string clientSecret)
    {
        await Dialog.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await Dialog.GetByLabel("Issuer URL").FillAsync(issuer);
        await Dialog.GetByLabel("Client id").FillAsync(clientId);
        await Dialog.GetByLabel("Client secret").FillAsync(clientSecret);
    }

    public Task TestFormConnectionAsync() => Dialog.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();

    public async Task SaveNewProviderAsync()
    {
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Add provider" }).ClickAsync();
        await Dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }

    public async Task CloseAsync()
    {
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }
}
