using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Notifications;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.Web.Features.Grants;

/// <summary>What one posture pass changed.</summary>
public sealed record PostureOutcome(int GrantsSuspended, int GrantsResumed, int GrantsExpired, int Mails = 0);

/// <summary>
/// Invariant 8 applied to existing grants, in the caller's unit of work: every Active or Scheduled grant on a resource
/// whose policy requires a certification the partner lacks at <c>now</c> is suspended (feed event, tokens refused at
/// once); every grant posture suspended whose partner now holds all required certifications resumes (or expires if its
/// window passed meanwhile). The sweep runs it for all partners; renewing a certification runs it for that partner at
/// once. Grants suspended for any other reason are never touched (<see cref="Grant.IsSuspendedByPosture"/>).
/// The same unit of work writes the mail about it (<see cref="PostureMail"/>): warnings before a required certification
/// expires, the suspension at the lapse, the resumption after a renewal, each exactly once.
/// </summary>
public static class GrantPosture
{
    public static async Task<PostureOutcome> ApplyAsync(
        IUnitOfWork unitOfWork, PostureMail mail, DateTimeOffset now, Guid? partnerId, int batchSize, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;

        // Resources and partners are few (tens, hundreds); grants are many and are filtered in the database.
        var requiring = (await db.Resources.AsNoTracking().ToListAsync(cancellationToken))
            .Where(r => r.Policy.RequiredCertifications.Count > 0).ToDictionary(r => r.Id);
        var partners = await db.Partners.Where(p => partnerId == null || p.Id == partnerId).ToDictionaryAsync(p => p.Id, cancellationToken);
        var lapses = (from partner in partners.Values
                      from resource in requiring.Values
                      let lapse = Describe(partner, resource, now)
                      where lapse is not null
                      select (PartnerId: partner.Id, ResourceId: resource.Id, Lapse: lapse))
            .ToDictionary(l => (l.PartnerId, l.ResourceId), l => l.Lapse);

        var suspended = new List<Grant>();
        if (lapses.Count > 0)
        {
            var lapsedPartners = lapses.Keys.Select(k => k.PartnerId).Distinct().ToList();
            var lapsedResources = lapses.Keys.Select(k => k.ResourceId).Distinct().ToList();
            var candidates = await db.Grants
                .Where(g => (g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled)
                    && lapsedPartners.Contains(g.PartnerId) && lapsedResources.Contains(g.ResourceId))
                .OrderBy(g => g.NotAfter).Take(batchSize).ToListAsync(cancellationToken);
            foreach (var grant in candidates)
            {
                var before = grant.Status;
                if (!lapses.TryGetValue((grant.PartnerId, grant.ResourceId), out var lapse) || !grant.SuspendForPosture(lapse).IsSuccess)
                {
                    // Another pair of partner and resource, or changed earlier in this unit (expired by the same sweep).
                    continue;
                }

                suspended.Add(grant);
                unitOfWork.Audit("grant.suspended", "Grant", grant.Id.ToString(), grant.PartnerId,
                    new { before = before.ToString(), after = "Suspended", reason = grant.StatusReason });
                unitOfWork.EmitSecurityEvent(FeedEvents.GrantSuspended(grant));
                unitOfWork.PublishAfterCommit(new GrantSuspended(grant.Id, grant.PartnerId, grant.StatusReason!));
            }
        }

        var postureSuspended = await db.Grants
            .Where(g => g.Status == GrantStatus.Suspended && g.StatusReason!.StartsWith(Grant.PostureReasonPrefix)
                && (partnerId == null || g.PartnerId == partnerId))
            .OrderBy(g => g.NotAfter).Take(batchSize).ToListAsync(cancellationToken);
        var resumed = new List<Grant>();
        var expired = new List<Grant>();
        foreach (var grant in postureSuspended.Where(g => g.IsSuspendedByPosture && partners.ContainsKey(g.PartnerId) && !lapses.ContainsKey((g.PartnerId, g.ResourceId))))
        {
            if (grant.Resume(now).IsSuccess)
            {
                resumed.Add(grant);
                unitOfWork.Audit("grant.resumed", "Grant", grant.Id.ToString(), grant.PartnerId, new { before = "Suspended", after = grant.Status.ToString() });
                unitOfWork.EmitSecurityEvent(FeedEvents.GrantResumed(grant));
                unitOfWork.PublishAfterCommit(new GrantResumed(grant.Id, grant.PartnerId));
            }
            else if (grant.Status == GrantStatus.Expired)
            {
                // Its window passed while it was suspended: it ends instead of resuming, and tokens stay refused.
                expired.Add(grant);
                unitOfWork.Audit("grant.expired", "Grant", grant.Id.ToString(), grant.PartnerId, new { before = "Suspended", after = "Expired", grant.NotAfter });
                unitOfWork.PublishAfterCommit(new GrantExpired(grant.Id, grant.PartnerId));
            }
        }

        var mails = await mail.QueueAsync(unitOfWork, partners.Values, requiring.Values, new PostureChanges(suspended, resumed, expired), now, cancellationToken);
        return new PostureOutcome(suspended.Count, resumed.Count, expired.Count, mails);
    }

    /// <summary>Why the partner may not use the resource now, naming each certification and its date; null when nothing lapsed.</summary>
    private static string? Describe(Partner partner, Resource resource, DateTimeOffset now)
    {
        var missing = partner.MissingCertifications(resource.Policy.RequiredCertifications, now);
        if (missing.Count == 0)
        {
            return null;
        }

        var lapses = missing.Select(name => partner.Certifications.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) is { } held
            ? $"{name} lapsed on {held.ValidUntil.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}"
            : $"{name} not held");
        return $"{string.Join(", ", lapses)} (required by {resource.DisplayName}).";
    }
}
