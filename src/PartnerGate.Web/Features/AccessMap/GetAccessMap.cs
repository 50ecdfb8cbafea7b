using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessMap;

/// <summary>One grant on the map: who holds it (partner, user or client), what it reaches, and whether it is in effect now or starts soon.</summary>
public sealed record AccessMapGrant(
    Guid GrantId,
    Guid PartnerId,
    string PartnerName,
    SubjectKind SubjectKind,
    string SubjectId,
    string SubjectName,
    Guid ResourceId,
    string ResourceName,
    string Audience,
    Sensitivity Sensitivity,
    IReadOnlyList<string> Scopes,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    bool Upcoming,
    string? SuspendedBecause = null)
{
    /// <summary>
    /// Held but not usable now: the grant itself is suspended (a lapsed certification, or an administrator) or its
    /// partner is. It can come back without a new request (renewal, reinstatement), so the map still draws it.
    /// </summary>
    public bool Suspended => SuspendedBecause is not null;
}

/// <summary>A choice in one of the map's filters.</summary>
public sealed record AccessMapChoice(Guid Id, string Name);

/// <summary>
/// The map at <see cref="GeneratedAt"/>: grants in effect now and those starting before <see cref="HorizonEnd"/>, and
/// the partners and resources the user may filter by (a partner admin's partner list holds their own partner only).
/// </summary>
public sealed record AccessMapData(
    DateTimeOffset GeneratedAt,
    DateTimeOffset HorizonEnd,
    IReadOnlyList<AccessMapGrant> Grants,
    IReadOnlyList<AccessMapChoice> Partners,
    IReadOnlyList<AccessMapChoice> Resources);

/// <summary>
/// Partners → their users and API clients → their active and upcoming grants → resources. Staff see every partner; a
/// partner admin their own only: a partner filter naming another partner gives an empty map, never its grants.
/// </summary>
[RequirePolicy(AccessMapPolicies.Viewer)]
public sealed record GetAccessMapQuery(Guid? PartnerId = null, Guid? ResourceId = null, Sensitivity? Sensitivity = null)
    : IQuery<Result<AccessMapData>>;

public sealed class GetAccessMapValidator : AbstractValidator<GetAccessMapQuery>
{
    public GetAccessMapValidator() => RuleFor(q => q.Sensitivity).IsInEnum().WithMessage("Choose a sensitivity from the list.");
}

public sealed class GetAccessMapHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock)
    : IQueryHandler<GetAccessMapQuery, Result<AccessMapData>>
{
    /// <summary>How far ahead "upcoming" looks: the next day, the window the blast radius speaks of too.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(24);

    public async ValueTask<Result<AccessMapData>> Handle(GetAccessMapQuery query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var confinedTo = AccessMapPolicies.ConfinedTo(currentUser);
        var grants = await AccessMapGrants.LoadAsync(db, now, confinedTo, query.PartnerId, query.ResourceId, query.Sensitivity, cancellationToken);

        var partners = db.Partners.AsNoTracking();
        if (confinedTo is { } own)
        {
            partners = partners.Where(p => p.Id == own);
        }

        var partnerChoices = await partners.OrderBy(p => p.Name).Select(p => new AccessMapChoice(p.Id, p.Name)).ToListAsync(cancellationToken);
        var resourceChoices = await db.Resources.AsNoTracking().OrderBy(r => r.DisplayName)
            .Select(r => new AccessMapChoice(r.Id, r.DisplayName)).ToListAsync(cancellationToken);
        return new AccessMapData(now, now + Horizon, grants, partnerChoices, resourceChoices);
    }
}

/// <summary>The map's one reading of the grants table, shared by the map, its CSV export and the blast radius.</summary>
public static class AccessMapGrants
{
    /// <summary>
    /// Grants in effect at <paramref name="now"/> (active, inside their window), grants that start within the horizon
    /// (scheduled, or active but not started yet), and suspended ones still inside their window (marked, with why),
    /// newest partner and resource names resolved. Scoped to
    /// <paramref name="confinedTo"/> when set: the filters can only narrow that, never widen it.
    /// </summary>
    public static async Task<IReadOnlyList<AccessMapGrant>> LoadAsync(
        PartnerGateDbContext db, DateTimeOffset now, Guid? confinedTo, Guid? partnerId, Guid? resourceId, Sensitivity? sensitivity,
        CancellationToken cancellationToken)
    {
        var horizonEnd = now + GetAccessMapHandler.Horizon;
        var grants = db.Grants.AsNoTracking().Where(g => g.NotAfter > now && g.NotBefore <= horizonEnd
            && (g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended));
        if (confinedTo is { } own)
        {
            grants = grants.Where(g => g.PartnerId == own);
        }

        if (partnerId is { } wantedPartner)
        {
            grants = grants.Where(g => g.PartnerId == wantedPartner);
        }

        if (resourceId is { } wantedResource)
        {
            grants = grants.Where(g => g.ResourceId == wantedResource);
        }

        var rows = await (
                from grant in grants
                join partner in db.Partners on grant.PartnerId equals partner.Id
                join resource in db.Resources on grant.ResourceId equals resource.Id
                where sensitivity == null || resource.Sensitivity == sensitivity
                select new { grant, PartnerName = partner.Name, PartnerStatus = partner.Status, ResourceName = resource.DisplayName, resource.Audience, resource.Sensitivity })
            .ToListAsync(cancellationToken);

        var userIds = rows.Where(r => r.grant.Subject.Kind == SubjectKind.User)
            .Select(r => Guid.TryParse(r.grant.Subject.Id, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : Guid.Empty)
            .Distinct().ToList();
        var clientIds = rows.Where(r => r.grant.Subject.Kind == SubjectKind.Client).Select(r => r.grant.Subject.Id).Distinct().ToList();
        var userNames = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id.ToString(), u => $"{u.DisplayName} ({u.Email})", cancellationToken);
        var clientNames = await db.ApiClients.AsNoTracking().Where(c => clientIds.Contains(c.ClientId))
            .ToDictionaryAsync(c => c.ClientId, c => $"{c.DisplayName} ({c.ClientId})", StringComparer.Ordinal, cancellationToken);

        return rows
            .Select(r => new AccessMapGrant(
                r.grant.Id, r.grant.PartnerId, r.PartnerName, r.grant.Subject.Kind, r.grant.Subject.Id,
                (r.grant.Subject.Kind == SubjectKind.User ? userNames : clientNames).GetValueOrDefault(r.grant.Subject.Id) ?? r.grant.Subject.Id,
                r.grant.ResourceId, r.ResourceName, r.Audience, r.Sensitivity, [.. r.grant.Scopes], r.grant.NotBefore, r.grant.NotAfter,
                Upcoming: SuspendedBecause(r.grant, r.PartnerStatus) is null && (r.grant.NotBefore > now || r.grant.Status == GrantStatus.Scheduled),
                SuspendedBecause(r.grant, r.PartnerStatus)))
            .OrderBy(g => g.PartnerName, StringComparer.Ordinal)
            .ThenBy(g => g.SubjectName, StringComparer.Ordinal)
            .ThenBy(g => g.ResourceName, StringComparer.Ordinal)
            .ThenBy(g => g.NotBefore)
            .ToList();
    }

    /// <summary>The grant's state as the table and the CSV export say it.</summary>
    public static string StateInWords(AccessMapGrant grant) =>
        grant.SuspendedBecause is { } because ? $"Suspended ({because})" : grant.Upcoming ? "Upcoming" : "Active";

    private static string? SuspendedBecause(Grant grant, PartnerStatus partnerStatus) =>
        partnerStatus == PartnerStatus.Suspended ? "partner suspended"
        : grant.Status != GrantStatus.Suspended ? null
        : grant.IsSuspendedByPosture ? "certification lapsed"
        : "suspended";
}
