using System.Text.Json.Serialization;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>A grant as the admin API shows it: who holds what on which resource, when, and its state.</summary>
public sealed record AdminGrant(
    Guid Id,
    Guid AccessRequestId,
    Guid PartnerId,
    string PartnerName,
    [property: JsonConverter(typeof(JsonStringEnumConverter<SubjectKind>))] SubjectKind SubjectKind,
    string SubjectId,
    string SubjectName,
    string Resource,
    string ResourceName,
    string Audience,
    [property: JsonConverter(typeof(JsonStringEnumConverter<Sensitivity>))] Sensitivity Sensitivity,
    IReadOnlyList<string> Scopes,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    [property: JsonConverter(typeof(JsonStringEnumConverter<GrantStatus>))] GrantStatus Status,
    string? StatusReason,
    bool AutoApproved,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt);

/// <summary>
/// Grants for the admin API, filtered and paged on the server, newest end first. Staff only (the same visibility
/// rule as the portal, invariant 4); the filters narrow, never widen.
/// </summary>
/// <param name="Status">Only grants in this state.</param>
/// <param name="PartnerId">Only this partner's grants.</param>
/// <param name="Resource">A resource's name (<c>purchase-orders</c>) or audience.</param>
/// <param name="Subject">A user id or a client id, exactly.</param>
/// <param name="Page">1-based.</param>
/// <param name="PageSize">1 to <see cref="AdminApiQueryReader.MaximumPageSize"/>.</param>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record ListAdminGrantsQuery(GrantStatus? Status, Guid? PartnerId, string? Resource, string? Subject, int Page = 1, int PageSize = AdminApiQueryReader.DefaultPageSize)
    : IQuery<Result<AdminPage<AdminGrant>>>, IAdminPaged;

/// <summary>Paging of an admin API list, checked the same way for every list.</summary>
public interface IAdminPaged
{
    int Page { get; }
    int PageSize { get; }
}

public sealed class AdminPagedValidator : AbstractValidator<IAdminPaged>
{
    public AdminPagedValidator()
    {
        RuleFor(q => q.Page).GreaterThanOrEqualTo(1).OverridePropertyName("page").WithMessage("page starts at 1.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, AdminApiQueryReader.MaximumPageSize).OverridePropertyName("pageSize")
            .WithMessage($"pageSize is from 1 to {AdminApiQueryReader.MaximumPageSize}.");
    }
}

public sealed class ListAdminGrantsValidator : AbstractValidator<ListAdminGrantsQuery>
{
    public ListAdminGrantsValidator() => Include(new AdminPagedValidator());
}

public sealed class ListAdminGrantsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<ListAdminGrantsQuery, Result<AdminPage<AdminGrant>>>
{
    public async ValueTask<Result<AdminPage<AdminGrant>>> Handle(ListAdminGrantsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var grants = db.Grants.AsNoTracking().VisibleTo(currentUser);
        if (query.Status is { } status)
        {
            grants = grants.Where(g => g.Status == status);
        }

        if (query.PartnerId is { } partnerId)
        {
            grants = grants.Where(g => g.PartnerId == partnerId);
        }

        if (query.Subject is { } subject)
        {
            grants = grants.Where(g => g.Subject.Id == subject);
        }

        var rows = from grant in grants
                   join partner in db.Partners on grant.PartnerId equals partner.Id
                   join resource in db.Resources on grant.ResourceId equals resource.Id
                   select new { Grant = grant, PartnerName = partner.Name, Resource = resource.Name, resource.DisplayName, resource.Audience, resource.Sensitivity };
        if (query.Resource is { } named)
        {
            rows = rows.Where(r => r.Resource == named || r.Audience == named);
        }

        var total = await rows.CountAsync(cancellationToken);
        var found = await rows.OrderByDescending(r => r.Grant.NotAfter).ThenBy(r => r.Grant.Id)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .ToListAsync(cancellationToken);
        var page = found.Select(r => new AdminGrantRow(r.Grant, r.PartnerName, r.Resource, r.DisplayName, r.Audience, r.Sensitivity)).ToList();
        return new AdminPage<AdminGrant>(await AdminGrantRow.ToGrantsAsync(db, page, cancellationToken), query.Page, query.PageSize, total);
    }
}

/// <summary>A grant with its partner and resource, as read in one query.</summary>
public sealed record AdminGrantRow(Grant Grant, string PartnerName, string Resource, string ResourceName, string Audience, Sensitivity Sensitivity)
{
    /// <summary>User subjects get their names (one query); client subjects read "client &lt;client_id&gt;".</summary>
    public static async Task<IReadOnlyList<AdminGrant>> ToGrantsAsync(PartnerGateDbContext db, IReadOnlyList<AdminGrantRow> rows, CancellationToken cancellationToken)
    {
        var userIds = rows.Where(r => r.Grant.Subject.Kind == SubjectKind.User)
            .Select(r => Guid.TryParse(r.Grant.Subject.Id, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : Guid.Empty)
            .Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id.ToString(), u => u.DisplayName, cancellationToken);
        return [.. rows.Select(r => new AdminGrant(r.Grant.Id, r.Grant.AccessRequestId, r.Grant.PartnerId, r.PartnerName, r.Grant.Subject.Kind, r.Grant.Subject.Id,
            ListGrantsHandler.SubjectName(r.Grant.Subject, names), r.Resource, r.ResourceName, r.Audience, r.Sensitivity, r.Grant.Scopes,
            r.Grant.NotBefore, r.Grant.NotAfter, r.Grant.Status, r.Grant.StatusReason, r.Grant.AutoApproved, r.Grant.CreatedAt, r.Grant.EndedAt))];
    }
}
