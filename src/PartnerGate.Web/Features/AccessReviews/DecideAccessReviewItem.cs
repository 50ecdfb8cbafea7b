using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessReviews;

/// <summary>
/// A reviewer keeps or revokes one grant of a review, with a comment. A revocation ends the grant at once, on the same
/// path as revoking it from the grants page (<see cref="GrantRevocation"/>): tokens revoked, feed, mail.
/// </summary>
[RequirePolicy(Policies.ManufacturerStaff)]
[ConcurrencyConflictMessage(AccessReviewMessages.AlreadyDecided)]
public sealed record DecideAccessReviewItemCommand(Guid ReviewId, Guid ItemId, ReviewVerdict Verdict, string Comment) : ICommand<Result>;

public static class AccessReviewMessages
{
    public const string AlreadyDecided = "This grant was already decided by another reviewer a moment ago. Reload to see the outcome.";
}

public sealed class DecideAccessReviewItemValidator : AbstractValidator<DecideAccessReviewItemCommand>
{
    public DecideAccessReviewItemValidator()
    {
        RuleFor(c => c.ReviewId).NotEmpty().WithMessage("Choose a review.");
        RuleFor(c => c.ItemId).NotEmpty().WithMessage("Choose a grant of the review.");
        RuleFor(c => c.Verdict).IsInEnum().WithMessage("Keep or revoke the grant.");
        RuleFor(c => c.Comment).NotEmpty().WithMessage("Say why you keep or revoke this grant; the comment is part of the review's record.")
            .MaximumLength(AccessReview.MaxCommentLength).WithMessage($"The comment can be at most {AccessReview.MaxCommentLength:N0} characters.");
    }
}

public sealed class DecideAccessReviewItemHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<DecideAccessReviewItemCommand, Result>
{
    public async ValueTask<Result> Handle(DecideAccessReviewItemCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var actor = currentUser.ToActor();
        var review = await db.AccessReviews.Include(r => r.Items).Include(r => r.Reviewers)
            .AsSplitQuery().SingleOrDefaultAsync(r => r.Id == command.ReviewId, cancellationToken);
        if (review is null || !review.CanBeViewedBy(actor))
        {
            // Staff who may not see the review learn nothing about it.
            return Error.NotFound("review.not_found", "That access review does not exist.");
        }

        var grantIds = review.Items.Select(i => i.GrantId).ToList();
        var grants = await db.Grants.Where(g => grantIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, cancellationToken);
        var item = review.Items.SingleOrDefault(i => i.Id == command.ItemId);
        if (item is null || !grants.TryGetValue(item.GrantId, out var grant))
        {
            return Error.NotFound("review.item_not_found", "That grant is not part of this review.");
        }

        var before = grant.Status;
        var now = clock.GetUtcNow();
        var decided = review.Decide(actor, item.Id, command.Verdict, command.Comment, grant, now);
        if (!decided.IsSuccess)
        {
            return decided.Error!;
        }

        var details = new { review = review.Id, item = item.Id, grant = grant.Id, comment = item.Comment };
        if (command.Verdict == ReviewVerdict.Revoke)
        {
            unitOfWork.Audit("review.grant_revoked", "AccessReview", review.Id.ToString(), grant.PartnerId, details);
            unitOfWork.RecordRevocation(grant, before, "grant.revoked", SecurityEventInitiator.Admin,
                new { before = before.ToString(), after = "Revoked", reason = grant.StatusReason, review = review.Id });
        }
        else
        {
            unitOfWork.Audit("review.grant_kept", "AccessReview", review.Id.ToString(), grant.PartnerId, details);
        }

        unitOfWork.PublishAfterCommit(new AccessReviewItemDecided(review.Id, grant.Id, grant.PartnerId));
        if (review.CompleteIfSettled(id => grants.TryGetValue(id, out var other) && AccessReview.IsLive(other), now))
        {
            AccessReviewAudit.Completed(unitOfWork, review);
        }

        return Result.Success();
    }
}

/// <summary>
/// The completion audit event and its live update, the same whether the last decision, the deadline or grants ending
/// meanwhile completed the review.
/// </summary>
public static class AccessReviewAudit
{
    public static void Completed(IUnitOfWork unitOfWork, AccessReview review)
    {
        unitOfWork.PublishAfterCommit(new AccessReviewCompleted(review.Id));
        unitOfWork.Audit("review.completed", "AccessReview", review.Id.ToString(), review.PartnerId, new
        {
            kept = review.Items.Count(i => i.Outcome == ReviewItemOutcome.Kept),
            revoked = review.Items.Count(i => i.Outcome == ReviewItemOutcome.Revoked),
            autoRevoked = review.Items.Count(i => i.Outcome == ReviewItemOutcome.AutoRevoked),
            grantEnded = review.Items.Count(i => i.Outcome == ReviewItemOutcome.GrantEnded),
        });
    }
}
