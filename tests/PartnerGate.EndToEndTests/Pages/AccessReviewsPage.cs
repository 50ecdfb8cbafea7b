using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /access-reviews (the list) and its "Start an access review" dialog.</summary>
public sealed partial class AccessReviewsPage(IPage page)
{
    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    /// <summary>The list's row of a review, by its target's name (other tests' reviews share the list).</summary>
    public ILocator Row(string targetName) => page.GetByRole(AriaRole.Row).Filter(new() { HasText = targetName });

    public async Task OpenAsync()
    {
        await page.GotoAsync("/access-reviews");
        await AccessReviewPage.WaitUntilInteractiveAsync(page);
    }

    /// <summary>
    /// Fills the start dialog for a review of a partner's grants with the dialog's deadline (its default, two weeks ahead
    /// at 17:00 UTC) and the reviewers named as the list shows them.
    /// </summary>
    public async Task FillPartnerReviewAsync(string partnerName, params string[] reviewers)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Start a review" }).ClickAsync();
        await Dialog.GetByText("Start an access review").WaitForAsync();

        await Dialog.GetByLabel("Partner", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = partnerName, Exact = true }).ClickAsync();

        await Dialog.GetByLabel("Reviewers", new() { Exact = true }).ClickAsync();
        foreach (var reviewer in reviewers)
        {
            await page.GetByRole(AriaRole.Option, new() { Name = reviewer }).ClickAsync();
        }

        // A multiple choice stays open after a click; a click on the dialog's title closes it (Escape would close the dialog).
        await Dialog.GetByText("Start an access review").ClickAsync();
        foreach (var reviewer in reviewers)
        {
            await Microsoft.Playwright.Assertions.Expect(Dialog.GetByLabel("Reviewers", new() { Exact = true })).ToHaveValueAsync(new Regex(Regex.Escape(reviewer.Split(" (")[0])));
        }

    }

    /// <summary>Starts the review the dialog describes; returns its id from the review page it lands on.</summary>
    public async Task<Guid> ConfirmStartAsync()
    {
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Start review" }).ClickAsync();
        await page.WaitForURLAsync(ReviewAddress());
        return Guid.Parse(ReviewAddress().Match(page.Url).Groups["id"].Value);
    }

    [GeneratedRegex("/access-reviews/(?<id>[0-9a-f-]{36})$")]
    private static partial Regex ReviewAddress();
}
