using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessRequests;

public sealed record AccessRequestSummary(
    Guid Id, string PartnerName, string RequesterName, string ResourceName, IReadOnlyList<string> Scopes,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, AccessRequestStatus Status, DateTimeOffset SubmittedAt, bool AutoApproved,
    IReadOnlyList<DecisionSummary> Decisions, bool CanCancel);

/// <summary>
/// "My requests": a partner user's own, a partner admin's whole organisation's, newest first (the 500
/// most recent). Staff use the approval inbox instead.
/// </summary>
[RequirePolicy(Policies.PartnerMember)]
public sealed record ListMyAccessRequestsQuery : IQuery<Result<IReadOnlyList<AccessRequestSummary>>>;

public sealed class ListMyAccessRequestsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<ListMyAccessRequestsQuery, Result<IReadOnlyList<AccessRequestSummary>>>
{
    public async ValueTask<Result<IReadOnlyList<AccessRequestSummary>>> Handle(ListMyAccessRequestsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await (
                from request in db.AccessRequests.AsNoTracking().VisibleTo(currentUser)
                join partner in db.Partners on request.PartnerId equals partner.Id
                join resource in db.Resources on request.ResourceId equals resource.Id
                join requester in db.Users on request.RequestedByUserId equals requester.Id
                orderby request.SubmittedAt descending
                select new
                {
                    request.Id, request.RequestedByUserId, PartnerName = partner.Name, Requester = requester.DisplayName, request.Subject, Resource = resource.DisplayName, request.Scopes,
                    request.NotBefore, request.NotAfter, request.Status, request.SubmittedAt, request.AutoApproved,
                    Decisions = request.Decisions.OrderBy(d => d.DecidedAt).ToList(),
                })
            .Take(500)
            .ToListAsync(cancellationToken);

        var me = currentUser.UserId;
        var isPartnerAdmin = currentUser.IsInRole(Roles.PartnerAdmin);
        return rows.Select(r => new AccessRequestSummary(r.Id, r.PartnerName, RequesterWords.Describe(r.Requester, r.Subject), r.Resource, r.Scopes, r.NotBefore, r.NotAfter,
                r.Status, r.SubmittedAt, r.AutoApproved,
                r.Decisions.Select(d => new DecisionSummary(d.ApproverName, d.Outcome, d.Stage, d.Comment, d.ShortenedNotAfter, d.DecidedAt)).ToList(),
                CanCancel: r.Status == AccessRequestStatus.Pending && (r.RequestedByUserId == me || isPartnerAdmin)))
            .ToList();
    }
}
