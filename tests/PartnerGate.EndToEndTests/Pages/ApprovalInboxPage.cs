using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /inbox and its decision dialog.</summary>
public sealed class ApprovalInboxPage(IPage page)
{
    public async Task OpenAsync()
    {
        await page.GotoAsync("/inbox");
        await new HomePage(page).WaitUntilInteractiveAsync();
    }

    public ILocator Row(string text) => page.GetByRole(AriaRole.Row).Filter(new() { HasText = text });

    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    public async Task ApproveAsync(string rowText)
    {
        await Row(rowText).ClickAsync();
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }
}
