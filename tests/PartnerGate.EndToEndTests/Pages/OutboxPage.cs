using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /admin/outbox (interactive server rendering, server-side paged table).</summary>
public sealed class OutboxPage(IPage page)
{
    public ILocator NotConfiguredNotice => page.GetByTestId("mail-not-configured");

    public ILocator Rows => page.GetByRole(AriaRole.Row);

    public ILocator Row(string subject) => Rows.Filter(new() { HasText = subject });

    public ILocator Body => page.GetByTestId("outbox-body");

    public async Task OpenAsync()
    {
        await page.GotoAsync("/admin/outbox");
        await new HomePage(page).WaitUntilInteractiveAsync();
    }

    public async Task ShowBodyAsync(string recipient) =>
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show the mail to {recipient}" }).ClickAsync();

    public async Task FilterAsync(string status)
    {
        await page.GetByLabel("Filter by status").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = status, Exact = true }).ClickAsync();
    }
}
