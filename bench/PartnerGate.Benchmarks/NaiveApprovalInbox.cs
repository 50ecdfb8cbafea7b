using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Web.Features.AccessRequests;

namespace PartnerGate.Benchmarks;

/// <summary>
/// The peer: what a first implementation without database paging does. It loads every pending request the
/// approver's groups may decide, with its decisions and the partner, resource and requester names, and
/// then filters (own requests, already decided by me, partner, resource, sensitivity, search), sorts,
/// counts and pages in C#. Same answer as <see cref="GetApprovalInboxHandler"/>, checked in the global setup.
/// </summary>
public static class NaiveApprovalInbox
{
    public static async Task<InboxPage> LoadAsync(
        PartnerGateDbContext db, Guid me, IReadOnlyCollection<string> myGroups, GetApprovalInboxQuery query, CancellationToken cancellationToken = default)
    {
        var pending = await db.AccessRequests.AsNoTracking()
            .Include(r => r.Decisions)
            .Where(r => r.Status == AccessRequestStatus.Pending && r.AwaitingRole != null && myGroups.Contains(r.AwaitingRole))
            .ToListAsync(cancellationToken);
        var partners = await db.Partners.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var resources = await db.Resources.AsNoTracking().ToDictionaryAsync(r => r.Id, cancellationToken);
        var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);

        var rows = pending
            .Where(r => r.RequestedByUserId != me && !r.Decisions.Any(d => d.ApproverId == me))
            .Select(r => (Request: r, Partner: partners[r.PartnerId], Resource: resources[r.ResourceId], Requester: users[r.RequestedByUserId]));

        if (query.PartnerId is { } partnerId)
        {
            rows = rows.Where(x => x.Request.PartnerId == partnerId);
        }

        if (query.ResourceId is { } resourceId)
        {
            rows = rows.Where(x => x.Request.ResourceId == resourceId);
        }

        if (query.Sensitivity is { } sensitivity)
        {
            rows = rows.Where(x => x.Resource.Sensitivity == sensitivity);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim();
            rows = rows.Where(x => x.Partner.Contains(term, StringComparison.OrdinalIgnoreCase)
                || x.Resource.DisplayName.Contains(term, StringComparison.OrdinalIgnoreCase)
                || x.Requester.Contains(term, StringComparison.OrdinalIgnoreCase)
                || x.Request.Justification.Contains(term, StringComparison.OrdinalIgnoreCase)
                || (x.Request.TicketReference?.Contains(term, StringComparison.OrdinalIgnoreCase) ?? false));
        }

        var all = rows.ToList();
        var items = all
            .OrderBy(x => x.Request.SubmittedAt).ThenBy(x => x.Request.Id)
            .Skip(query.Page * query.PageSize).Take(query.PageSize)
            .Select(x => new InboxItem(
                x.Request.Id, x.Partner, x.Resource.DisplayName, x.Resource.Sensitivity, x.Request.Scopes, x.Requester,
                x.Request.SubmittedAt, x.Request.NotBefore, x.Request.NotAfter, x.Request.DecideBy,
                x.Request.Decisions.Count(d => d.Outcome == DecisionOutcome.Approved)))
            .ToList();
        return new InboxPage(all.Count, items);
    }
}
