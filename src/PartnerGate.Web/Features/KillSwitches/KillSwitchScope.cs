using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;

namespace PartnerGate.Web.Features.KillSwitches;

/// <summary>What a kill switch ends: everything of one user, API client, partner or resource, or of all partners at once.</summary>
public enum KillSwitchKind
{
    User,
    Client,
    Partner,
    Resource,
    AllPartners,
}

/// <summary>
/// The target of a kill switch, resolved from the database: <see cref="Key"/> is the user id, client_id, partner id or
/// resource id as text ("*" for all partners).
/// </summary>
public sealed record KillSwitchTarget(KillSwitchKind Kind, string Key, string Name, Guid? PartnerId)
{
    /// <summary>The summary audit action of this switch, e.g. <c>killswitch.all_partners</c>.</summary>
    public string AuditAction => Kind switch
    {
        KillSwitchKind.AllPartners => "killswitch.all_partners",
        _ => "killswitch." + Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The key as a Guid for users, partners and resources; empty otherwise.</summary>
    public Guid Guid => System.Guid.TryParse(Key, CultureInfo.InvariantCulture, out var id) ? id : Guid.Empty;

    public string AuditTargetType => Kind switch
    {
        KillSwitchKind.User => "User",
        KillSwitchKind.Client => "ApiClient",
        KillSwitchKind.Partner => "Partner",
        KillSwitchKind.Resource => "Resource",
        _ => "AllPartners",
    };
}

/// <summary>
/// One definition of "everything of the target", shared by the preview (the counts the confirmation states) and the
/// switch itself, so the dialog never promises something other than what happens.
/// </summary>
public static class KillSwitchScope
{
    public const string AllPartnersKey = "*";

    /// <summary>Resolves the target; null when it does not exist (or the id is malformed).</summary>
    public static async Task<KillSwitchTarget?> ResolveAsync(PartnerGateDbContext db, KillSwitchKind kind, string? targetId, CancellationToken cancellationToken)
    {
        var id = targetId?.Trim() ?? string.Empty;
        switch (kind)
        {
            case KillSwitchKind.AllPartners:
                return new KillSwitchTarget(kind, AllPartnersKey, "all partners", null);
            case KillSwitchKind.Client:
                return await db.ApiClients.AsNoTracking().Where(c => c.ClientId == id)
                    .Select(c => new KillSwitchTarget(kind, c.ClientId, c.DisplayName, c.PartnerId)).SingleOrDefaultAsync(cancellationToken);
        }

        if (!Guid.TryParse(id, CultureInfo.InvariantCulture, out var guid))
        {
            return null;
        }

        var key = guid.ToString();
        return kind switch
        {
            KillSwitchKind.User => await db.Users.AsNoTracking().Where(u => u.Id == guid)
                .Select(u => new KillSwitchTarget(kind, key, u.DisplayName + " (" + u.Email + ")", u.PartnerId)).SingleOrDefaultAsync(cancellationToken),
            KillSwitchKind.Partner => await db.Partners.AsNoTracking().Where(p => p.Id == guid)
                .Select(p => new KillSwitchTarget(kind, key, p.Name, p.Id)).SingleOrDefaultAsync(cancellationToken),
            KillSwitchKind.Resource => await db.Resources.AsNoTracking().Where(r => r.Id == guid)
                .Select(r => new KillSwitchTarget(kind, key, r.DisplayName, null)).SingleOrDefaultAsync(cancellationToken),
            _ => null,
        };
    }

    public static Error NotFound(KillSwitchKind kind) => Error.NotFound("killswitch.target_not_found", kind switch
    {
        KillSwitchKind.User => "That user does not exist.",
        KillSwitchKind.Client => "That API client does not exist.",
        KillSwitchKind.Partner => "That partner does not exist.",
        _ => "That resource does not exist.",
    });

    /// <summary>The target's grants that still back or may again back tokens: Active, Scheduled or Suspended.</summary>
    public static IQueryable<Grant> Grants(PartnerGateDbContext db, KillSwitchTarget target)
    {
        var id = target.Guid;
        var live = db.Grants.Where(g => g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended);
        return target.Kind switch
        {
            KillSwitchKind.User => live.Where(g => g.Subject.Kind == SubjectKind.User && g.Subject.Id == target.Key),
            KillSwitchKind.Client => live.Where(g => g.Subject.Kind == SubjectKind.Client && g.Subject.Id == target.Key),
            KillSwitchKind.Partner => live.Where(g => g.PartnerId == id),
            KillSwitchKind.Resource => live.Where(g => g.ResourceId == id),
            _ => live,
        };
    }

    /// <summary>
    /// The target's pending requests, which must not stay approvable; for a user also those they submitted for a client
    /// (a compromised account's requests are as suspect as its grants).
    /// </summary>
    public static IQueryable<AccessRequest> PendingRequests(PartnerGateDbContext db, KillSwitchTarget target)
    {
        var id = target.Guid;
        var pending = db.AccessRequests.Where(r => r.Status == AccessRequestStatus.Pending);
        return target.Kind switch
        {
            KillSwitchKind.User => pending.Where(r => (r.Subject.Kind == SubjectKind.User && r.Subject.Id == target.Key)
                || r.RequestedByUserId == id),
            KillSwitchKind.Client => pending.Where(r => r.Subject.Kind == SubjectKind.Client && r.Subject.Id == target.Key),
            KillSwitchKind.Partner => pending.Where(r => r.PartnerId == id),
            KillSwitchKind.Resource => pending.Where(r => r.ResourceId == id),
            _ => pending,
        };
    }
}
