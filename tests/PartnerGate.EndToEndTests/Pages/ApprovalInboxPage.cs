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

    /// <summary>The rows containing every one of <paramref name="texts"/> (other tests' requests share the inbox).</summary>
    public ILocator Row(params string[] texts) =>
        texts.Aggregate(page.GetByRole(AriaRole.Row), (rows, text) => rows.Filter(new() { HasText = text }));

    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    public async Task ApproveAsync(params string[] rowTexts)
    {
        await Row(rowTexts).ClickAsync();
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }
}
