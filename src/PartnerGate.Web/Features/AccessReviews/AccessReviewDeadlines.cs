using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.Web.Features.AccessReviews;

/// <summary>What the sweep did to reviews.</summary>
public sealed record AccessReviewSweepOutcome(int ReviewsCompleted, int GrantsAutoRevoked, int Reminders);

/// <summary>
/// The time-driven part of access reviews, run by the access sweep (<see cref="RunAccessSweepHandler"/>) under its lease,
/// in its unit of work: at the deadline every undecided grant that is still live is revoked — on the same path as a
/// revocation by hand — and the review completes; a review with nothing left to decide (its grants ended meanwhile)
/// completes too; a day before the deadline the reviewers of a review with undecided items are reminded once.
/// </summary>
public static class AccessReviewDeadlines
{
    public static async Task<AccessReviewSweepOutcome> ApplyAsync(IUnitOfWork unitOfWork, DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var live = db.Grants.Live();
        var due = await db.AccessReviews.Include(r => r.Items).AsSplitQuery()
            .Where(r => r.Status == AccessReviewStatus.Open
                && (r.Deadline <= now || !r.Items.Any(i => i.Outcome == ReviewItemOutcome.Pending && live.Any(g => g.Id == i.GrantId))))
            .OrderBy(r => r.Deadline).Take(batchSize).ToListAsync(cancellationToken);
        var completed = 0;
        var autoRevoked = 0;
        foreach (var review in due)
        {
            var grants = await GrantsOfAsync(db, review, cancellationToken);
            if (review.Deadline <= now)
            {
                var befores = grants.Values.ToDictionary(g => g.Id, g => g.Status);
                var revoked = review.RevokeUndecidedAtDeadline(grants, now);
                if (!revoked.IsSuccess)
                {
                    continue;
                }

                foreach (var (item, grant) in revoked.Value)
                {
                    autoRevoked++;
                    unitOfWork.Audit("review.auto_revoked", "AccessReview", review.Id.ToString(), grant.PartnerId,
                        new { review = review.Id, item = item.Id, grant = grant.Id, reason = grant.StatusReason });
                    unitOfWork.RecordRevocation(grant, befores[grant.Id], "grant.revoked", SecurityEventInitiator.Policy,
                        new { before = befores[grant.Id].ToString(), after = "Revoked", reason = grant.StatusReason, review = review.Id });
                }
            }
            else if (!review.CompleteIfSettled(id => grants.TryGetValue(id, out var grant) && AccessReview.IsLive(grant), now))
            {
                continue;
            }

            completed++;
            AccessReviewAudit.Completed(unitOfWork, review);
        }

        var reminders = 0;
        var remindFrom = now + AccessReview.ReminderBeforeDeadline;
        var approaching = await db.AccessReviews.Include(r => r.Items).AsSplitQuery()
            .Where(r => r.Status == AccessReviewStatus.Open && r.ReminderSentAt == null && r.Deadline > now && r.Deadline <= remindFrom
                && r.Items.Any(i => i.Outcome == ReviewItemOutcome.Pending))
            .Take(batchSize).ToListAsync(cancellationToken);
        foreach (var review in approaching.Where(r => r.TakeReminderIfDue(now)))
        {
            reminders++;
            unitOfWork.PublishAfterCommit(new AccessReviewReminderDue(review.Id));
        }

        return new AccessReviewSweepOutcome(completed, autoRevoked, reminders);
    }

    /// <summary>
    /// The review's grants, tracked: a grant this sweep already expired comes back as the same tracked instance, so it
    /// counts as ended here rather than being revoked a second time.
    /// </summary>
    private static async Task<Dictionary<Guid, Grant>> GrantsOfAsync(PartnerGateDbContext db, AccessReview review, CancellationToken cancellationToken)
    {
        var ids = review.Items.Select(i => i.GrantId).ToList();
        return await db.Grants.Where(g => ids.Contains(g.Id)).ToDictionaryAsync(g => g.Id, cancellationToken);
    }
}
