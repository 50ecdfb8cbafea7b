using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Grants;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using PartnerGate.Web.Features.Notifications;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.AccessReviews;

/// <summary>
/// An access review in Chromium, two people at once: the administrator starts a review of a partner of this test's own
/// (two live grants) with Arne Approver as reviewer; Arne, in a browser context of his own, keeps one grant and revokes
/// the other; the administrator's open review page follows each decision live, without a reload, until it completes.
/// </summary>
public sealed class AccessReviewTests(PortalFixture portal)
{
    private const string Reviewer = "approver@acme.example";

    [Fact]
    public async Task Administrator_StartsAReview_ReviewerKeepsOneGrantAndRevokesTheOther_AdministratorSeesProgressLive()
    {
        var arranged = await ArrangeAsync();

        var adminPage = await SignedInAsync("admin@acme.example");
        var list = new AccessReviewsPage(adminPage);
        await list.OpenAsync();
        await list.FillPartnerReviewAsync(arranged.PartnerName, "Arne Approver");
        await adminPage.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "access-review-start.png"), FullPage = true });
        var reviewId = await list.ConfirmStartAsync();
        var adminView = new AccessReviewPage(adminPage);
        await AccessReviewPage.WaitUntilInteractiveAsync(adminPage);
        await Expect(adminView.Status).ToHaveTextAsync("Open");
        await Expect(adminView.Progress).ToContainTextAsync("0 of 2 decided");
        await Expect(adminView.Decision(arranged.KeptClient)).ToHaveTextAsync("Undecided");
        await Expect(adminView.Decision(arranged.RevokedClient)).ToHaveTextAsync("Undecided");
        // A reload would clear this; it must still be there when the decisions have arrived.
        await adminPage.EvaluateAsync("() => window.accessReviewNotReloaded = true");

        var reviewerPage = await SignedInAsync(Reviewer);
        var reviewerView = new AccessReviewPage(reviewerPage);
        await reviewerView.OpenAsync(reviewId);
        await reviewerView.KeepAsync(arranged.KeptClient, "Still ships purchase orders every week.");

        await Expect(adminView.Progress).ToContainTextAsync("1 of 2 decided");
        await Expect(adminView.Progress).ToContainTextAsync("1 kept");
        await Expect(adminView.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "50");
        await Expect(adminView.Decision(arranged.KeptClient)).ToHaveTextAsync("Kept");
        await Expect(adminView.Item(arranged.KeptClient)).ToContainTextAsync("Still ships purchase orders every week.");
        await Expect(adminView.Status).ToHaveTextAsync("Open");
        await adminPage.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "access-review-progress.png"), FullPage = true });

        await reviewerView.RevokeAsync(arranged.RevokedClient, "Inventory access is no longer needed.");

        await Expect(adminView.Status).ToHaveTextAsync("Completed");
        await Expect(adminView.Progress).ToContainTextAsync("2 of 2 decided");
        await Expect(adminView.Progress).ToContainTextAsync("1 revoked");
        await Expect(adminView.Decision(arranged.RevokedClient)).ToHaveTextAsync("Revoked");
        await Expect(adminView.Item(arranged.RevokedClient)).ToContainTextAsync("Inventory access is no longer needed.");
        Assert.True(await adminPage.EvaluateAsync<bool>("() => window.accessReviewNotReloaded === true"));
        await adminPage.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "access-review-completed.png"), FullPage = true });

        // The reviewer's own page shows the outcome too, and offers no more decisions.
        await Expect(reviewerView.Status).ToHaveTextAsync("Completed");
        await Expect(reviewerPage.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Revoke the grant of" })).ToHaveCountAsync(0);

        // The list shows the review completed.
        await list.OpenAsync();
        await Expect(list.Row(arranged.PartnerName).GetByTestId("review-status")).ToHaveTextAsync("Completed");
        await Expect(list.Row(arranged.PartnerName).GetByTestId("review-progress")).ToContainTextAsync("2 of 2 decided");
        await adminPage.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "access-reviews-list.png"), FullPage = true });

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        var grants = await db.Grants.AsNoTracking().Where(g => g.Id == arranged.KeptGrant || g.Id == arranged.RevokedGrant).ToDictionaryAsync(g => g.Id);
        Assert.Equal(GrantStatus.Active, grants[arranged.KeptGrant].Status);
        Assert.Equal(GrantStatus.Revoked, grants[arranged.RevokedGrant].Status);
        Assert.Contains("Inventory access is no longer needed.", grants[arranged.RevokedGrant].StatusReason, StringComparison.Ordinal);
        var review = await db.AccessReviews.AsNoTracking().Include(r => r.Items).AsSplitQuery().SingleAsync(r => r.Id == reviewId);
        Assert.Equal(AccessReviewStatus.Completed, review.Status);
        Assert.Equal(arranged.PartnerId, review.TargetId);

        // Arne was told by mail (through the outbox) that the review is his.
        var mail = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.Kind == MailKinds.ReviewStarted && m.To == Reviewer && m.Subject.Contains(arranged.PartnerName)).ToListAsync();
        var message = Assert.Single(mail);
        Assert.Contains($"/access-reviews/{reviewId}", message.Body, StringComparison.Ordinal);
    }

    /// <summary>As <see cref="PortalFixture.SignedInAsync"/>, waiting for the circuit as long as the context's other waits.</summary>
    private async Task<Microsoft.Playwright.IPage> SignedInAsync(string email)
    {
        var page = await portal.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAsync(email, PortalFixture.DemoPassword);
        await AccessReviewPage.WaitUntilInteractiveAsync(page);
        return page;
    }

    private sealed record Arranged(Guid PartnerId, string PartnerName, string KeptClient, Guid KeptGrant, string RevokedClient, Guid RevokedGrant);

    /// <summary>A partner of this test's own with two API clients, each holding one grant live now (other tests never see them).</summary>
    private async Task<Arranged> ArrangeAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var world = new AccessWorld(() => portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext());
        var partnerName = $"Review Partner {tag}";
        var partnerId = await world.RegisterPartnerAsync(partnerName);
        var kept = $"e2e-review-{tag}-orders";
        var revoked = $"e2e-review-{tag}-stock";
        await world.RegisterClientAsync(partnerId, kept);
        await world.RegisterClientAsync(partnerId, revoked);
        var keptGrant = await world.GrantAsync(partnerId, AccessSubject.ForClient(kept), "purchase-orders", ["orders.read"], TimeSpan.FromHours(8));
        var revokedGrant = await world.GrantAsync(partnerId, AccessSubject.ForClient(revoked), "inventory", ["inventory.read"], TimeSpan.FromHours(8));
        return new Arranged(partnerId, partnerName, kept, keptGrant, revoked, revokedGrant);
    }
}
