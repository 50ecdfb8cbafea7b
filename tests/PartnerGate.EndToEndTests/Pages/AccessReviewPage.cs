using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /access-reviews/{id}: status, live progress, the grants under review and the decision dialog.</summary>
public sealed class AccessReviewPage(IPage page)
{
    public ILocator Status => page.GetByTestId("review-status");

    public ILocator Progress => page.GetByTestId("review-progress");

    public ILocator ProgressBar => Progress.GetByRole(AriaRole.Progressbar);

    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    /// <summary>The row of the grant held by <paramref name="subject"/> (e.g. an API client's id).</summary>
    public ILocator Item(string subject) => page.GetByRole(AriaRole.Row).Filter(new() { HasText = subject });

    public ILocator Decision(string subject) => Item(subject).GetByTestId("item-decision");

    public async Task OpenAsync(Guid reviewId)
    {
        await page.GotoAsync($"/access-reviews/{reviewId}");
        await WaitUntilInteractiveAsync(page);
    }

    /// <summary>
    /// Waits for the circuit as <see cref="HomePage.WaitUntilInteractiveAsync"/> does, but as long as any other wait of
    /// the context (30 s): when every class of the assembly signs in at once on a loaded machine, a cold circuit's first
    /// render took longer than 15 s.
    /// </summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("#circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    public Task KeepAsync(string subject, string comment) => DecideAsync(subject, "Keep", "Keep it", comment);

    public Task RevokeAsync(string subject, string comment) => DecideAsync(subject, "Revoke", "Revoke now", comment);

    private async Task DecideAsync(string subject, string verdict, string confirm, string comment)
    {
        // The buttons are named for screen readers: "Keep the grant of … on …".
        await Item(subject).GetByRole(AriaRole.Button, new() { Name = $"{verdict} the grant of" }).ClickAsync();
        await Dialog.GetByLabel("Comment (required)").FillAsync(comment);
        await Dialog.GetByRole(AriaRole.Button, new() { Name = confirm }).ClickAsync();
        await Dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }
}
