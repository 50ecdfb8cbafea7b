using Bunit;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Web.Features.AccessReviews;

namespace PartnerGate.ComponentTests.Features.AccessReviews;

/// <summary>The review's progress and its items: what a reviewer reads, and which grants still offer keep/revoke.</summary>
public sealed class AccessReviewComponentTests : MudComponentTest
{
    private static readonly DateTimeOffset Ends = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static AccessReviewItemView Item(string subject, ReviewItemOutcome outcome = ReviewItemOutcome.Pending, bool grantEnded = false, string? comment = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "BoltNut Supply", subject, "Purchase orders", ["orders.read"], Ends, outcome, grantEnded,
            outcome is ReviewItemOutcome.Kept or ReviewItemOutcome.Revoked ? "Arne Approver" : null, comment, outcome == ReviewItemOutcome.Pending ? null : Ends.AddDays(-1));

    [Fact]
    public void Progress_StatesDecidedOfTotal_InTextAndOnTheBar()
    {
        var progress = Render<AccessReviewProgressBar>(p => p.Add(c => c.Progress, new AccessReviewProgress(3, 5, 2, 1, 0, 0)));

        Assert.Contains("3 of 5", progress.Find("[data-testid=review-progress]").TextContent, StringComparison.Ordinal);
        Assert.Contains("2 kept", progress.Markup, StringComparison.Ordinal);
        Assert.NotNull(progress.Find("[aria-label='3 of 5 grants decided']"));
        Assert.Equal("60", progress.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void Progress_ReRenderedWithAnotherReviewersDecision_MovesOn()
    {
        var progress = Render<AccessReviewProgressBar>(p => p.Add(c => c.Progress, new AccessReviewProgress(1, 4, 1, 0, 0, 0)));

        progress.Render(p => p.Add(c => c.Progress, new AccessReviewProgress(2, 4, 1, 1, 0, 1)));

        Assert.Contains("2 of 4", progress.Markup, StringComparison.Ordinal);
        Assert.Contains("1 ended meanwhile", progress.Markup, StringComparison.Ordinal);
        Assert.Equal("50", progress.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void Items_Reviewer_GetsKeepAndRevokeOnlyForGrantsThatNeedADecision()
    {
        var table = Render<AccessReviewItemsTable>(p => p
            .Add(c => c.Items, [Item("Undecided client"), Item("Kept client", ReviewItemOutcome.Kept, comment: "Still ships weekly."), Item("Ended client", grantEnded: true)])
            .Add(c => c.CanDecide, true));

        Assert.Single(table.FindAll("button[aria-label^='Keep the grant']"));
        Assert.NotNull(table.Find("button[aria-label='Revoke the grant of Undecided client on Purchase orders']"));
        var decisions = table.FindAll("[data-testid=item-decision]").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(["Undecided", "Kept", "Grant ended — no decision needed"], decisions);
        Assert.Contains("Still ships weekly.", table.Markup, StringComparison.Ordinal);
        Assert.Contains("by Arne Approver", table.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Items_ViewerWhoIsNotAReviewer_SeesNoDecisionButtons()
    {
        var table = Render<AccessReviewItemsTable>(p => p.Add(c => c.Items, [Item("Undecided client")]).Add(c => c.CanDecide, false));

        Assert.Empty(table.FindAll("button"));
        Assert.Contains("Undecided client", table.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Items_Revoke_AsksThePageWithTheItemAndTheVerdict()
    {
        var item = Item("Undecided client");
        (AccessReviewItemView Item, ReviewVerdict Verdict)? asked = null;
        var table = Render<AccessReviewItemsTable>(p => p
            .Add(c => c.Items, [item])
            .Add(c => c.CanDecide, true)
            .Add(c => c.OnDecide, (decision) => asked = decision));

        await table.Find("button[aria-label^='Revoke the grant']").ClickAsync(new());

        Assert.Equal((item, ReviewVerdict.Revoke), asked);
    }
}
