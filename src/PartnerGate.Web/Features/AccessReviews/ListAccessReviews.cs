using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessReviews;

/// <summary>How far a review has come: items settled (decided, or their grant ended meanwhile) of all items.</summary>
public sealed record AccessReviewProgress(int Settled, int Total, int Kept, int Revoked, int AutoRevoked, int Ended)
{
    public int Undecided => Total - Settled;

    public double Percent => Total == 0 ? 100 : Math.Round(100.0 * Settled / Total, 1);
}

public sealed record AccessReviewSummary(
    Guid Id, AccessReviewKind Kind, string TargetName, AccessReviewStatus Status, DateTimeOffset StartedAt, string StartedByName,
    DateTimeOffset Deadline, IReadOnlyList<string> Reviewers, bool IsMine, AccessReviewProgress Progress);

/// <summary>Access reviews, newest first: administrators see all, approvers the ones assigned to them, partners none.</summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record ListAccessReviewsQuery : IQuery<Result<IReadOnlyList<AccessReviewSummary>>>;

public sealed class ListAccessReviewsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<ListAccessReviewsQuery, Result<IReadOnlyList<AccessReviewSummary>>>
{
    private const int Limit = 200;

    public async ValueTask<Result<IReadOnlyList<AccessReviewSummary>>> Handle(ListAccessReviewsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var me = currentUser.UserId ?? Guid.Empty;
        var reviews = db.AccessReviews.AsNoTracking();
        if (!currentUser.IsInRole(Roles.Administrator))
        {
            reviews = reviews.Where(r => r.Reviewers.Any(x => x.UserId == me));
        }

        var loaded = await reviews.Include(r => r.Items).Include(r => r.Reviewers).AsSplitQuery()
            .OrderByDescending(r => r.StartedAt).Take(Limit).ToListAsync(cancellationToken);
        var live = await AccessReviewReads.LiveGrantIdsAsync(db, loaded.SelectMany(r => r.Items).Where(i => i.Outcome == ReviewItemOutcome.Pending).Select(i => i.GrantId), cancellationToken);
        return loaded.Select(r => new AccessReviewSummary(
            r.Id, r.Kind, r.TargetName, r.Status, r.StartedAt, r.StartedByName, r.Deadline,
            r.Reviewers.Select(x => x.DisplayName).Order(StringComparer.OrdinalIgnoreCase).ToList(), r.IsReviewer(me),
            AccessReviewReads.Progress(r, live))).ToList();
    }
}

/// <summary>Reads shared by the review list and the review page.</summary>
public static class AccessReviewReads
{
    /// <summary>Grants that still back, or may again back, tokens (as <see cref="AccessReview.IsLive"/>, in SQL).</summary>
    public static IQueryable<Grant> Live(this IQueryable<Grant> grants) =>
        grants.Where(g => g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended);

    /// <summary>Which of these grants still back (or may again back) tokens.</summary>
    public static async Task<HashSet<Guid>> LiveGrantIdsAsync(PartnerGateDbContext db, IEnumerable<Guid> grantIds, CancellationToken cancellationToken)
    {
        var ids = grantIds.Distinct().ToList();
        var live = new HashSet<Guid>();
        // Chunked so a large review stays within every provider's parameter limits.
        foreach (var chunk in ids.Chunk(500))
        {
            live.UnionWith(await db.Grants.AsNoTracking().Live().Where(g => chunk.Contains(g.Id)).Select(g => g.Id).ToListAsync(cancellationToken));
        }

        return live;
    }

    public static AccessReviewProgress Progress(AccessReview review, IReadOnlySet<Guid> liveGrantIds)
    {
        var items = review.Items;
        var ended = items.Count(i => i.Outcome == ReviewItemOutcome.GrantEnded || (i.Outcome == ReviewItemOutcome.Pending && !liveGrantIds.Contains(i.GrantId)));
        var kept = items.Count(i => i.Outcome == ReviewItemOutcome.Kept);
        var revoked = items.Count(i => i.Outcome == ReviewItemOutcome.Revoked);
        var autoRevoked = items.Count(i => i.Outcome == ReviewItemOutcome.AutoRevoked);
        return new AccessReviewProgress(kept + revoked + autoRevoked + ended, items.Count, kept, revoked, autoRevoked, ended);
    }
}
