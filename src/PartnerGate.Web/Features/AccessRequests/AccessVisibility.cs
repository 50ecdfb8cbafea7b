using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessRequests;

/// <summary>
/// Invariant 4 in one place: which requests and grants a user may see or act on. Manufacturer staff see
/// all; a partner admin sees their partner's; a partner user sees their own. Anything else is filtered
/// out in the query itself, so an id from another partner reads as "not found", never "forbidden"
/// (which would confirm it exists).
/// </summary>
public static class AccessVisibility
{
    public static IQueryable<AccessRequest> VisibleTo(this IQueryable<AccessRequest> requests, ICurrentUser user)
    {
        if (user.PartnerId is not { } partnerId)
        {
            return user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Approver) ? requests : requests.Where(_ => false);
        }

        if (user.IsInRole(Roles.PartnerAdmin))
        {
            return requests.Where(r => r.PartnerId == partnerId);
        }

        var userId = user.UserId;
        return requests.Where(r => r.PartnerId == partnerId && r.RequestedByUserId == userId);
    }

    public static IQueryable<Grant> VisibleTo(this IQueryable<Grant> grants, ICurrentUser user)
    {
        if (user.PartnerId is not { } partnerId)
        {
            return user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Approver) ? grants : grants.Where(_ => false);
        }

        if (user.IsInRole(Roles.PartnerAdmin))
        {
            return grants.Where(g => g.PartnerId == partnerId);
        }

        var subjectId = user.UserId?.ToString();
        return grants.Where(g => g.PartnerId == partnerId && g.Subject.Kind == SubjectKind.User && g.Subject.Id == subjectId);
    }
}
