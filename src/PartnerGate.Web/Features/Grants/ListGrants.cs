using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Grants;

public sealed record GrantSummary(
    Guid Id, string PartnerName, string SubjectName, string ResourceName, Sensitivity Sensitivity, IReadOnlyList<string> Scopes,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, GrantStatus Status, string? StatusReason, bool AutoApproved);

/// <summary>
/// Grants the user may see (staff: all; partner admin: the organisation's; partner user: their own).
/// <see cref="CurrentOnly"/> keeps active, scheduled and suspended ones; otherwise the 500 newest of any status.
/// </summary>
[RequirePolicy(Policies.SignedIn)]
public sealed record ListGrantsQuery(bool CurrentOnly = true) : IQuery<Result<IReadOnlyList<GrantSummary>>>;

public sealed class ListGrantsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<ListGrantsQuery, Result<IReadOnlyList<GrantSummary>>>
{
    public async ValueTask<Result<IReadOnlyList<GrantSummary>>> Handle(ListGrantsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var grants = db.Grants.AsNoTracking().VisibleTo(currentUser);
        if (query.CurrentOnly)
        {
            grants = grants.Where(g => g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended);
        }

        var rows = await (
                from grant in grants
                join partner in db.Partners on grant.PartnerId equals partner.Id
                join resource in db.Resources on grant.ResourceId equals resource.Id
                orderby grant.NotAfter descending
                select new { grant, PartnerName = partner.Name, Resource = resource.DisplayName, resource.Sensitivity })
            .Take(500)
            .ToListAsync(cancellationToken);

        // User subjects get their names (one query); client subjects read "client <client_id>".
        var userIds = rows.Where(r => r.grant.Subject.Kind == SubjectKind.User)
            .Select(r => Guid.Parse(r.grant.Subject.Id, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        var names = await db.Users.Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id.ToString(), u => u.DisplayName, cancellationToken);

        return rows.Select(r => new GrantSummary(r.grant.Id, r.PartnerName,
                SubjectName(r.grant.Subject, names), r.Resource, r.Sensitivity, r.grant.Scopes,
                r.grant.NotBefore, r.grant.NotAfter, r.grant.Status, r.grant.StatusReason, r.grant.AutoApproved))
            .ToList();
    }

    public static string SubjectName(AccessSubject subject, IReadOnlyDictionary<string, string> userNames) => subject.Kind == SubjectKind.Client
        ? $"client {subject.Id}"
        : userNames.GetValueOrDefault(subject.Id) ?? subject.Id;
}
