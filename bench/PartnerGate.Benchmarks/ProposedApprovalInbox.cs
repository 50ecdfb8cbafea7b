using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Web.Features.AccessRequests;

namespace PartnerGate.Benchmarks;

/// <summary>
/// A bench-only copy of <see cref="GetApprovalInboxHandler"/>'s query with the change suggested in
/// docs/benchmarks.md, measured beside the real one so the suggestion is a number, not a hope. Same answer
/// (checked in the global setup). The difference: every filter is applied to the requests table alone, so
/// the COUNT and the OFFSET walk touch no other table. Partner, resource and requester names that match the
/// search are looked up first in their (small) tables and become id filters; the names are joined only to
/// the 25 rows of the page.
/// </summary>
public static class ProposedApprovalInbox
{
    public static async Task<InboxPage> LoadAsync(
        PartnerGateDbContext db, Guid me, IReadOnlyCollection<string> myGroups, GetApprovalInboxQuery query, CancellationToken cancellationToken = default)
    {
        var waiting = db.AccessRequests.AsNoTracking()
            .Where(r => r.AwaitingRole != null && myGroups.Contains(r.AwaitingRole)
                && r.RequestedByUserId != me
                && !r.Decisions.Any(d => d.ApproverId == me));

        if (query.PartnerId is { } partnerId)
        {
            waiting = waiting.Where(r => r.PartnerId == partnerId);
        }

        if (query.ResourceId is { } resourceId)
        {
            waiting = waiting.Where(r => r.ResourceId == resourceId);
        }

        if (query.Sensitivity is { } sensitivity)
        {
            var ofSensitivity = await db.Resources.Where(r => r.Sensitivity == sensitivity).Select(r => r.Id).ToListAsync(cancellationToken);
            waiting = waiting.Where(r => ofSensitivity.Contains(r.ResourceId));
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
            var partners = await db.Partners.Where(p => p.Name.ToLower().Contains(term)).Select(p => p.Id).ToListAsync(cancellationToken);
            var resources = await db.Resources.Where(r => r.DisplayName.ToLower().Contains(term)).Select(r => r.Id).ToListAsync(cancellationToken);
            var requesters = await db.Users.Where(u => u.DisplayName.ToLower().Contains(term)).Select(u => u.Id).ToListAsync(cancellationToken);
            waiting = waiting.Where(r => partners.Contains(r.PartnerId) || resources.Contains(r.ResourceId) || requesters.Contains(r.RequestedByUserId)
                || r.Justification.ToLower().Contains(term)
                || (r.TicketReference != null && r.TicketReference.ToLower().Contains(term)));
        }

        var total = await waiting.CountAsync(cancellationToken);
        var page = waiting
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id)
            .Skip(query.Page * query.PageSize).Take(query.PageSize);
        var items = await (
                from request in page
                join partner in db.Partners on request.PartnerId equals partner.Id
                join resource in db.Resources on request.ResourceId equals resource.Id
                join requester in db.Users on request.RequestedByUserId equals requester.Id
                orderby request.SubmittedAt, request.Id
                select new InboxItem(
                    request.Id, partner.Name, resource.DisplayName, resource.Sensitivity, request.Scopes, requester.DisplayName,
                    request.SubmittedAt, request.NotBefore, request.NotAfter, request.DecideBy,
                    request.Decisions.Count(d => d.Outcome == DecisionOutcome.Approved)))
            .ToListAsync(cancellationToken);
        return new InboxPage(total, items);
    }
}
