using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessReviews;

/// <summary>
/// One grant of a review as the page shows it. <see cref="GrantEnded"/> marks an undecided item whose grant expired or
/// was revoked elsewhere meanwhile: it needs no decision.
/// </summary>
public sealed record AccessReviewItemView(
    Guid Id, Guid GrantId, string PartnerName, string SubjectName, string ResourceName, IReadOnlyList<string> Scopes, DateTimeOffset GrantNotAfter,
    ReviewItemOutcome Outcome, bool GrantEnded, string? DecidedByName, string? Comment, DateTimeOffset? DecidedAt)
{
    public bool NeedsDecision => Outcome == ReviewItemOutcome.Pending && !GrantEnded;
}

public sealed record AccessReviewDetails(
    Guid Id, AccessReviewKind Kind, string TargetName, AccessReviewStatus Status, DateTimeOffset StartedAt, string StartedByName,
    DateTimeOffset Deadline, DateTimeOffset? CompletedAt, IReadOnlyList<string> Reviewers, bool CanDecide, AccessReviewProgress Progress,
    IReadOnlyList<AccessReviewItemView> Items);

/// <summary>One review with its items: for administrators and the review's own reviewers; anyone else reads "not found".</summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record GetAccessReviewQuery(Guid ReviewId) : IQuery<Result<AccessReviewDetails>>;

public sealed class GetAccessReviewHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock)
    : IQueryHandler<GetAccessReviewQuery, Result<AccessReviewDetails>>
{
    public async ValueTask<Result<AccessReviewDetails>> Handle(GetAccessReviewQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var actor = currentUser.ToActor();
        var review = await db.AccessReviews.AsNoTracking().Include(r => r.Items).Include(r => r.Reviewers).AsSplitQuery()
            .SingleOrDefaultAsync(r => r.Id == query.ReviewId, cancellationToken);
        if (review is null || !review.CanBeViewedBy(actor))
        {
            return Error.NotFound("review.not_found", "That access review does not exist.");
        }

        var live = await AccessReviewReads.LiveGrantIdsAsync(db, review.Items.Select(i => i.GrantId), cancellationToken);
        var items = review.Items
            .OrderBy(i => i.PartnerName, StringComparer.OrdinalIgnoreCase).ThenBy(i => i.SubjectName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(i => i.ResourceName, StringComparer.OrdinalIgnoreCase)
            .Select(i => new AccessReviewItemView(i.Id, i.GrantId, i.PartnerName, i.SubjectName, i.ResourceName, i.Scopes, i.GrantNotAfter, i.Outcome,
                i.Outcome == ReviewItemOutcome.GrantEnded || (i.Outcome == ReviewItemOutcome.Pending && !live.Contains(i.GrantId)),
                i.DecidedByName, i.Comment, i.DecidedAt))
            .ToList();
        return new AccessReviewDetails(review.Id, review.Kind, review.TargetName, review.Status, review.StartedAt, review.StartedByName, review.Deadline,
            review.CompletedAt, review.Reviewers.Select(r => r.DisplayName).Order(StringComparer.OrdinalIgnoreCase).ToList(),
            review.CanBeDecidedBy(actor, clock.GetUtcNow()), AccessReviewReads.Progress(review, live), items);
    }
}
