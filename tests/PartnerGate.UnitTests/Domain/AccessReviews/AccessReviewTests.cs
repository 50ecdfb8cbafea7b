using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;
using static PartnerGate.UnitTests.Domain.DomainFixtures;

namespace PartnerGate.UnitTests.Domain.AccessReviews;

/// <summary>The rules of an access review: who starts and decides it, one decision per item, the deadline revokes what is undecided.</summary>
public sealed class AccessReviewTests
{
    private static readonly Actor Administrator = new(Guid.NewGuid(), "Ada Admin", null, new HashSet<string> { Roles.Administrator });
    private readonly Partner partner = BoltNut();

    private Grant NewGrant(TimeSpan? duration = null)
    {
        var resource = PurchaseOrders();
        return Submit(partner, resource, PartnerUser(partner), duration ?? TimeSpan.FromDays(5)).Approve(resource, partner, Approver(), Now).Value!;
    }

    private GrantUnderReview UnderReview(Grant grant) => new(grant, partner.Name, "Bob (bob@boltnut.example)", "Purchase orders");

    private Result<AccessReview> Start(IReadOnlyCollection<Actor> reviewers, params Grant[] grants) =>
        AccessReview.Start(Administrator, AccessReviewKind.Partner, partner.Id, partner.Name, reviewers, grants.Select(UnderReview).ToList(), Now.AddDays(7), Now);

    [Fact]
    public void Start_SnapshotsOneItemPerLiveGrant_WithTheReviewers()
    {
        var reviewer = Approver();
        var ended = NewGrant();
        ended.Revoke(reviewer, "Contract ended", Now);

        var review = Start([reviewer], NewGrant(), NewGrant(), ended).Value;

        Assert.Equal(2, review.Items.Count);
        Assert.All(review.Items, i => Assert.Equal(ReviewItemOutcome.Pending, i.Outcome));
        Assert.Equal(AccessReviewStatus.Open, review.Status);
        Assert.True(review.IsReviewer(reviewer.UserId));
    }

    [Fact]
    public void Start_ByAnApprover_IsForbidden()
    {
        var started = AccessReview.Start(Approver(), AccessReviewKind.Partner, partner.Id, partner.Name, [Approver()], [UnderReview(NewGrant())], Now.AddDays(7), Now);

        Assert.Equal("review.start_forbidden", started.Error!.Code);
    }

    [Fact]
    public void Start_WithAPartnerUserAsReviewer_IsRefused()
    {
        var started = Start([Approver(), PartnerAdmin(partner)], NewGrant());

        Assert.Equal("review.reviewer_not_staff", started.Error!.Code);
    }

    [Fact]
    public void Start_WithoutReviewers_IsRefused() => Assert.Equal("review.reviewers_required", Start([], NewGrant()).Error!.Code);

    [Theory]
    [InlineData(-1, "review.deadline_too_soon")]
    [InlineData(0.5, "review.deadline_too_soon")]
    [InlineData(91 * 24, "review.deadline_too_far")]
    public void Start_WithADeadlineOutOfRange_IsRefused(double hoursFromNow, string code)
    {
        var started = AccessReview.Start(Administrator, AccessReviewKind.Partner, partner.Id, partner.Name, [Approver()], [UnderReview(NewGrant())],
            Now.AddHours(hoursFromNow), Now);

        Assert.Equal(code, started.Error!.Code);
    }

    [Fact]
    public void Start_WithNoLiveGrants_IsRefused()
    {
        var ended = NewGrant();
        ended.Revoke(Approver(), "Contract ended", Now);

        Assert.Equal("review.nothing_to_review", Start([Approver()], ended).Error!.Code);
    }

    [Fact]
    public void Decide_Keep_RecordsTheDecisionAndLeavesTheGrant()
    {
        var reviewer = Approver();
        var grant = NewGrant();
        var review = Start([reviewer], grant).Value;

        var decided = review.Decide(reviewer, review.Items[0].Id, ReviewVerdict.Keep, "  Still ships to us weekly. ", grant, Now.AddHours(1));

        Assert.True(decided.IsSuccess);
        Assert.Equal(ReviewItemOutcome.Kept, review.Items[0].Outcome);
        Assert.Equal("Still ships to us weekly.", review.Items[0].Comment);
        Assert.Equal(reviewer.UserId, review.Items[0].DecidedByUserId);
        Assert.Equal(GrantStatus.Active, grant.Status);
    }

    [Fact]
    public void Decide_Revoke_RevokesTheGrantWithAReasonNamingTheReview()
    {
        var reviewer = Approver();
        var grant = NewGrant();
        var review = Start([reviewer], grant).Value;

        review.Decide(reviewer, review.Items[0].Id, ReviewVerdict.Revoke, "No longer a supplier of this plant.", grant, Now.AddHours(1));

        Assert.Equal(ReviewItemOutcome.Revoked, review.Items[0].Outcome);
        Assert.Equal(GrantStatus.Revoked, grant.Status);
        Assert.Contains("access review of BoltNut Supply", grant.StatusReason, StringComparison.Ordinal);
        Assert.Equal(reviewer.UserId, grant.RevokedByUserId);
    }

    [Fact]
    public void Decide_Twice_TheSecondSaysAlreadyDecided_AndChangesNothing()
    {
        var first = Approver("Arne");
        var second = Approver("Berit");
        var grant = NewGrant();
        var review = Start([first, second], grant).Value;
        review.Decide(first, review.Items[0].Id, ReviewVerdict.Keep, "Needed for the Q1 orders.", grant, Now.AddHours(1));

        var again = review.Decide(second, review.Items[0].Id, ReviewVerdict.Revoke, "Not needed.", grant, Now.AddHours(2));

        Assert.Equal("review.already_decided", again.Error!.Code);
        Assert.Contains("Arne", again.Error.Message, StringComparison.Ordinal);
        Assert.Equal(ReviewItemOutcome.Kept, review.Items[0].Outcome);
        Assert.Equal(GrantStatus.Active, grant.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void Decide_WithoutAComment_IsRefused(string? comment)
    {
        var reviewer = Approver();
        var grant = NewGrant();
        var review = Start([reviewer], grant).Value;

        var decided = review.Decide(reviewer, review.Items[0].Id, ReviewVerdict.Revoke, comment, grant, Now.AddHours(1));

        Assert.Equal("review.comment_required", decided.Error!.Code);
        Assert.Equal(ReviewItemOutcome.Pending, review.Items[0].Outcome);
        Assert.Equal(GrantStatus.Active, grant.Status);
    }

    [Fact]
    public void Decide_ByStaffWhoIsNotAReviewer_IsForbidden_EvenForAnAdministrator()
    {
        var grant = NewGrant();
        var review = Start([Approver()], grant).Value;

        Assert.Equal("review.not_a_reviewer", review.Decide(Approver("Other"), review.Items[0].Id, ReviewVerdict.Keep, "Fine.", grant, Now.AddHours(1)).Error!.Code);
        Assert.Equal("review.not_a_reviewer", review.Decide(Administrator, review.Items[0].Id, ReviewVerdict.Keep, "Fine.", grant, Now.AddHours(1)).Error!.Code);
        Assert.True(review.CanBeViewedBy(Administrator));
        Assert.False(review.CanBeViewedBy(Approver("Other")));
        Assert.False(review.CanBeViewedBy(PartnerAdmin(partner)));
    }

    [Fact]
    public void Decide_AfterTheDeadline_IsRefused()
    {
        var reviewer = Approver();
        var grant = NewGrant();
        var review = Start([reviewer], grant).Value;

        Assert.Equal("review.deadline_passed", review.Decide(reviewer, review.Items[0].Id, ReviewVerdict.Keep, "Fine.", grant, review.Deadline).Error!.Code);
    }

    [Fact]
    public void Decide_AGrantThatEndedMeanwhile_NeedsNoDecision()
    {
        var reviewer = Approver();
        var grant = NewGrant();
        var review = Start([reviewer], grant).Value;
        grant.Revoke(Approver(), "Revoked from the grants page", Now.AddMinutes(5));

        var decided = review.Decide(reviewer, review.Items[0].Id, ReviewVerdict.Keep, "Fine.", grant, Now.AddHours(1));

        Assert.Equal("review.grant_ended", decided.Error!.Code);
        Assert.True(review.IsSettled(_ => false));
    }

    [Fact]
    public void RevokeUndecidedAtDeadline_RevokesOnlyUndecidedLiveGrants_AndCompletes()
    {
        var reviewer = Approver();
        var kept = NewGrant();
        var undecided = NewGrant();
        var endedMeanwhile = NewGrant();
        var review = Start([reviewer], kept, undecided, endedMeanwhile).Value;
        review.Decide(reviewer, review.Items.Single(i => i.GrantId == kept.Id).Id, ReviewVerdict.Keep, "Needed.", kept, Now.AddHours(1));
        endedMeanwhile.Revoke(Approver(), "Elsewhere", Now.AddHours(2));
        var grants = new[] { kept, undecided, endedMeanwhile }.ToDictionary(g => g.Id);

        Assert.Equal("review.deadline_not_reached", review.RevokeUndecidedAtDeadline(grants, review.Deadline.AddSeconds(-1)).Error!.Code);
        var revoked = review.RevokeUndecidedAtDeadline(grants, review.Deadline).Value;

        Assert.Equal(undecided.Id, Assert.Single(revoked).Grant.Id);
        Assert.Equal(GrantStatus.Revoked, undecided.Status);
        Assert.Contains("access review of BoltNut Supply", undecided.StatusReason, StringComparison.Ordinal);
        Assert.Null(undecided.RevokedByUserId);
        Assert.Equal(GrantStatus.Active, kept.Status);
        Assert.Equal(ReviewItemOutcome.GrantEnded, review.Items.Single(i => i.GrantId == endedMeanwhile.Id).Outcome);
        Assert.Equal(ReviewItemOutcome.AutoRevoked, review.Items.Single(i => i.GrantId == undecided.Id).Outcome);
        Assert.Equal(AccessReviewStatus.Completed, review.Status);
        Assert.Equal("review.completed", review.RevokeUndecidedAtDeadline(grants, review.Deadline.AddHours(1)).Error!.Code);
    }

    [Fact]
    public void CompleteIfSettled_OnlyOnceEveryLiveGrantIsDecided()
    {
        var reviewer = Approver();
        var one = NewGrant();
        var two = NewGrant();
        var review = Start([reviewer], one, two).Value;
        review.Decide(reviewer, review.Items.Single(i => i.GrantId == one.Id).Id, ReviewVerdict.Keep, "Needed.", one, Now.AddHours(1));

        Assert.False(review.CompleteIfSettled(_ => true, Now.AddHours(1)));
        review.Decide(reviewer, review.Items.Single(i => i.GrantId == two.Id).Id, ReviewVerdict.Revoke, "Not needed.", two, Now.AddHours(2));

        Assert.True(review.CompleteIfSettled(_ => true, Now.AddHours(2)));
        Assert.Equal(AccessReviewStatus.Completed, review.Status);
        Assert.Equal("review.completed", review.Decide(reviewer, review.Items[0].Id, ReviewVerdict.Keep, "Again.", one, Now.AddHours(3)).Error!.Code);
    }

    [Fact]
    public void Reminder_IsTakenOnce_WithinADayOfTheDeadline_WhileItemsAreUndecided()
    {
        var review = Start([Approver()], NewGrant()).Value;

        Assert.False(review.TakeReminderIfDue(review.Deadline.AddHours(-25)));
        Assert.True(review.TakeReminderIfDue(review.Deadline.AddHours(-23)));
        Assert.False(review.TakeReminderIfDue(review.Deadline.AddHours(-22)));
    }
}
