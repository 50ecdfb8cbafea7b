using System.Text.Json.Serialization;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>An access request as the admin API lists it.</summary>
public sealed record AdminAccessRequest(
    Guid Id,
    Guid PartnerId,
    string PartnerName,
    Guid RequestedByUserId,
    string RequesterName,
    [property: JsonConverter(typeof(JsonStringEnumConverter<SubjectKind>))] SubjectKind SubjectKind,
    string SubjectId,
    string Resource,
    string ResourceName,
    IReadOnlyList<string> Scopes,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    [property: JsonConverter(typeof(JsonStringEnumConverter<AccessRequestStatus>))] AccessRequestStatus Status,
    DateTimeOffset SubmittedAt,
    DateTimeOffset DecideBy,
    DateTimeOffset? ClosedAt,
    bool AutoApproved,
    string? AwaitingRole)
{
    /// <summary>The request with the names read beside it, as both the list and the single request answer it.</summary>
    public static AdminAccessRequest From(AccessRequest request, string partnerName, string requesterName, string resource, string resourceName) =>
        new(request.Id, request.PartnerId, partnerName, request.RequestedByUserId, RequesterWords.Describe(requesterName, request.Subject),
            request.Subject.Kind, request.Subject.Id, resource, resourceName, request.Scopes, request.NotBefore, request.NotAfter, request.Status,
            request.SubmittedAt, request.DecideBy, request.ClosedAt, request.AutoApproved, request.AwaitingRole);
}

/// <summary>Access requests for the admin API, filtered and paged on the server, newest first; staff only (invariant 4).</summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record ListAdminAccessRequestsQuery(AccessRequestStatus? Status, Guid? PartnerId, int Page = 1, int PageSize = AdminApiQueryReader.DefaultPageSize)
    : IQuery<Result<AdminPage<AdminAccessRequest>>>, IAdminPaged;

public sealed class ListAdminAccessRequestsValidator : AbstractValidator<ListAdminAccessRequestsQuery>
{
    public ListAdminAccessRequestsValidator() => Include(new AdminPagedValidator());
}

public sealed class ListAdminAccessRequestsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<ListAdminAccessRequestsQuery, Result<AdminPage<AdminAccessRequest>>>
{
    public async ValueTask<Result<AdminPage<AdminAccessRequest>>> Handle(ListAdminAccessRequestsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var requests = db.AccessRequests.AsNoTracking().VisibleTo(currentUser);
        if (query.Status is { } status)
        {
            requests = requests.Where(r => r.Status == status);
        }

        if (query.PartnerId is { } partnerId)
        {
            requests = requests.Where(r => r.PartnerId == partnerId);
        }

        var total = await requests.CountAsync(cancellationToken);
        var rows = await (from request in requests
                          join partner in db.Partners on request.PartnerId equals partner.Id
                          join resource in db.Resources on request.ResourceId equals resource.Id
                          join requester in db.Users on request.RequestedByUserId equals requester.Id
                          orderby request.SubmittedAt descending, request.Id
                          select new { Request = request, PartnerName = partner.Name, Requester = requester.DisplayName, Resource = resource.Name, ResourceName = resource.DisplayName })
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .ToListAsync(cancellationToken);

        var items = rows.Select(r => AdminAccessRequest.From(r.Request, r.PartnerName, r.Requester, r.Resource, r.ResourceName)).ToList();
        return new AdminPage<AdminAccessRequest>(items, query.Page, query.PageSize, total);
    }
}
