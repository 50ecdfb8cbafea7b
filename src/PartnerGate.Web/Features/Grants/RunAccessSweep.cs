using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.AccessReviews;
using PartnerGate.Web.Features.Notifications;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Grants;

/// <summary>What one sweep changed.</summary>
public sealed record AccessSweepOutcome(
    int RequestsExpired, int GrantsActivated, int GrantsExpired, int ExpiryNotices, int GrantsSuspended = 0, int GrantsResumed = 0,
    int ReviewsCompleted = 0, int ReviewGrantsRevoked = 0, int ReviewReminders = 0, int PostureMails = 0)
{
    public static readonly AccessSweepOutcome Nothing = new(0, 0, 0, 0);
}

/// <summary>
/// The time-driven part of the workflow, run by <see cref="AccessSweepService"/> as the system: expires
/// undecided requests past their decision window, activates scheduled grants whose window opened,
/// expires grants at NotAfter, marks grants ending within the hour for an expiry notice, and applies posture
/// (<see cref="GrantPosture"/>: suspends grants whose partner's required certification lapsed, resumes them on renewal, and mails
/// the warnings before a lapse), and
/// enforces access review deadlines (<see cref="AccessReviewDeadlines"/>: undecided grants revoked, reviews completed). Reads the
/// clock from TimeProvider, so tests move time instead of sleeping.
/// </summary>
[RequirePolicy(Policies.System)]
public sealed record RunAccessSweepCommand(int BatchSize = 500) : ICommand<Result<AccessSweepOutcome>>;

public sealed class RunAccessSweepHandler(IUnitOfWork unitOfWork, PostureMail postureMail, TimeProvider clock)
    : ICommandHandler<RunAccessSweepCommand, Result<AccessSweepOutcome>>
{
    public static readonly TimeSpan ExpiryNoticePeriod = TimeSpan.FromHours(1);

    public async ValueTask<Result<AccessSweepOutcome>> Handle(RunAccessSweepCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var now = clock.GetUtcNow();

        var undecided = await db.AccessRequests
            .Where(r => r.Status == AccessRequestStatus.Pending && r.DecideBy <= now)
            .OrderBy(r => r.DecideBy).Take(command.BatchSize).ToListAsync(cancellationToken);
        foreach (var request in undecided.Where(r => r.ExpireIfUndecided(now)))
        {
            unitOfWork.Audit("request.expired", "AccessRequest", request.Id.ToString(), request.PartnerId, new { before = "Pending", after = "Expired", request.DecideBy });
            unitOfWork.PublishAfterCommit(new RequestExpired(request.Id, request.PartnerId));
        }

        var due = await db.Grants
            .Where(g => (g.Status == GrantStatus.Scheduled && g.NotBefore <= now)
                || ((g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended) && g.NotAfter <= now))
            .OrderBy(g => g.NotBefore).Take(command.BatchSize).ToListAsync(cancellationToken);
        var activated = 0;
        var expired = 0;
        foreach (var grant in due)
        {
            var before = grant.Status;
            if (grant.ExpireIfDue(now))
            {
                expired++;
                unitOfWork.Audit("grant.expired", "Grant", grant.Id.ToString(), grant.PartnerId, new { before = before.ToString(), after = "Expired", grant.NotAfter });
                unitOfWork.PublishAfterCommit(new GrantExpired(grant.Id, grant.PartnerId));
            }
            else if (grant.ActivateIfDue(now))
            {
                activated++;
                unitOfWork.Audit("grant.activated", "Grant", grant.Id.ToString(), grant.PartnerId, new { before = "Scheduled", after = "Active", grant.NotBefore });
                unitOfWork.PublishAfterCommit(new GrantActivated(grant.Id, grant.PartnerId));
            }
        }

        var noticeFrom = now + ExpiryNoticePeriod;
        var ending = await db.Grants
            .Where(g => g.Status == GrantStatus.Active && g.ExpiryNoticeSentAt == null && g.NotAfter <= noticeFrom && g.NotAfter > now)
            .Take(command.BatchSize).ToListAsync(cancellationToken);
        var notices = 0;
        foreach (var grant in ending.Where(g => g.TakeExpiryNoticeIfDue(now, ExpiryNoticePeriod)))
        {
            notices++;
            unitOfWork.PublishAfterCommit(new GrantExpiringSoon(grant.Id, grant.PartnerId));
        }

        // Reviews after expiry: a grant this sweep already expired counts as ended there, not as one to revoke.
        var reviews = await AccessReviewDeadlines.ApplyAsync(unitOfWork, now, command.BatchSize, cancellationToken);

        // Posture last: a grant this sweep already expired or revoked is left alone (its in-memory state says so).
        var posture = await GrantPosture.ApplyAsync(unitOfWork, postureMail, now, partnerId: null, command.BatchSize, cancellationToken);
        return new AccessSweepOutcome(undecided.Count, activated, expired + posture.GrantsExpired, notices, posture.GrantsSuspended, posture.GrantsResumed,
            reviews.ReviewsCompleted, reviews.GrantsAutoRevoked, reviews.Reminders, posture.Mails);
    }
}
