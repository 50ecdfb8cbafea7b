using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessRequests;

public sealed record InboxItem(
    Guid RequestId, string PartnerName, string ResourceName, Sensitivity Sensitivity, IReadOnlyList<string> Scopes,
    string RequesterName, DateTimeOffset SubmittedAt, DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset DecideBy,
    int ApprovalsSoFar);

public sealed record InboxPage(int Total, IReadOnlyList<InboxItem> Items);

/// <summary>
/// The requests waiting for the current approver's decision: pending, at a stage their group decides,
/// not their own, not already approved by them. Oldest first, filtered and paged in the database.
/// </summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record GetApprovalInboxQuery(
    int Page = 0, int PageSize = 25, Guid? PartnerId = null, Guid? ResourceId = null, Sensitivity? Sensitivity = null, string? Search = null)
    : IQuery<Result<InboxPage>>;

public sealed class GetApprovalInboxValidator : AbstractValidator<GetApprovalInboxQuery>
{
    public GetApprovalInboxValidator()
    {
        RuleFor(q => q.Page).GreaterThanOrEqualTo(0).WithMessage("The page number cannot be negative.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, 200).WithMessage("A page shows 1 to 200 requests.");
        RuleFor(q => q.Search).MaximumLength(200).WithMessage("Search for at most 200 characters.");
    }
}

public sealed class GetApprovalInboxHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<GetApprovalInboxQuery, Result<InboxPage>>
{
    public async ValueTask<Result<InboxPage>> Handle(GetApprovalInboxQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var me = currentUser.UserId!.Value;
        var myGroups = Roles.All.Where(r => Roles.IsManufacturerRole(r) && currentUser.IsInRole(r)).ToList();

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

        var rows =
            from request in waiting
            join partner in db.Partners on request.PartnerId equals partner.Id
            join resource in db.Resources on request.ResourceId equals resource.Id
            join requester in db.Users on request.RequestedByUserId equals requester.Id
            select new { request, partner.Name, ResourceName = resource.DisplayName, resource.Sensitivity, requester.DisplayName };

        if (query.Sensitivity is { } sensitivity)
        {
            rows = rows.Where(x => x.Sensitivity == sensitivity);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
            rows = rows.Where(x => x.Name.ToLower().Contains(term) || x.ResourceName.ToLower().Contains(term)
                || x.DisplayName.ToLower().Contains(term) || x.request.Justification.ToLower().Contains(term)
                || (x.request.TicketReference != null && x.request.TicketReference.ToLower().Contains(term)));
        }

        var total = await rows.CountAsync(cancellationToken);
        var items = await rows
            .OrderBy(x => x.request.SubmittedAt).ThenBy(x => x.request.Id)
            .Skip(query.Page * query.PageSize).Take(query.PageSize)
            .Select(x => new
            {
                x.request.Id, x.Name, x.ResourceName, x.Sensitivity, x.request.Scopes, x.DisplayName, SubjectKind = x.request.Subject.Kind,
                SubjectId = x.request.Subject.Id, x.request.SubmittedAt, x.request.NotBefore, x.request.NotAfter, x.request.DecideBy,
                Approvals = x.request.Decisions.Count(d => d.Outcome == DecisionOutcome.Approved),
            })
            .ToListAsync(cancellationToken);
        return new InboxPage(total, items.Select(x => new InboxItem(
                x.Id, x.Name, x.ResourceName, x.Sensitivity, x.Scopes, RequesterWords.Describe(x.DisplayName, new AccessSubject(x.SubjectKind, x.SubjectId)),
                x.SubmittedAt, x.NotBefore, x.NotAfter, x.DecideBy, x.Approvals))
            .ToList());
    }
}
