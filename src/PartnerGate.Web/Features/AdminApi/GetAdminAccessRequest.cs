using System.Text.Json.Serialization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>One approver's decision on a request.</summary>
public sealed record AdminDecision(
    Guid ApproverId, string ApproverName, int Stage,
    [property: JsonConverter(typeof(JsonStringEnumConverter<DecisionOutcome>))] DecisionOutcome Outcome,
    string? Comment, DateTimeOffset? ShortenedNotAfter, DateTimeOffset DecidedAt);

/// <summary>An access request with what the requester wrote and every decision so far.</summary>
public sealed record AdminAccessRequestDetails(AdminAccessRequest Request, string Justification, string? TicketReference, IReadOnlyList<AdminDecision> Decisions);

/// <summary>
/// One access request for the admin API; staff only; an unknown id is 404. The portal's
/// <see cref="GetAccessRequestDetailsQuery"/> answers for the decision dialog (what the viewer may do); this one
/// answers with ids a program can follow (partner, requester, subject) and names enums as strings.
/// </summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record GetAdminAccessRequestQuery(Guid RequestId) : IQuery<Result<AdminAccessRequestDetails>>;

public sealed class GetAdminAccessRequestHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<GetAdminAccessRequestQuery, Result<AdminAccessRequestDetails>>
{
    public async ValueTask<Result<AdminAccessRequestDetails>> Handle(GetAdminAccessRequestQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var row = await (from request in db.AccessRequests.AsNoTracking().Include(r => r.Decisions).VisibleTo(currentUser)
                         where request.Id == query.RequestId
                         join partner in db.Partners on request.PartnerId equals partner.Id
                         join resource in db.Resources on request.ResourceId equals resource.Id
                         join requester in db.Users on request.RequestedByUserId equals requester.Id
                         select new { Request = request, PartnerName = partner.Name, Requester = requester.DisplayName, Resource = resource.Name, ResourceName = resource.DisplayName })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return Error.NotFound("request_not_found", "That access request does not exist.");
        }

        var r = row.Request;
        var summary = AdminAccessRequest.From(r, row.PartnerName, row.Requester, row.Resource, row.ResourceName);
        return new AdminAccessRequestDetails(summary, r.Justification, r.TicketReference,
            [.. r.Decisions.OrderBy(d => d.DecidedAt).Select(d => new AdminDecision(d.ApproverId, d.ApproverName, d.Stage, d.Outcome, d.Comment, d.ShortenedNotAfter, d.DecidedAt))]);
    }
}
