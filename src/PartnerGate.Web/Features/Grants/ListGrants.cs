using FluentValidation;
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
/// Grants the user may see (staff: all; partner admin: the organisation's; partner user: their own), the 500
/// that end last. The filters narrow that set and never widen it: a partner admin's <see cref="PartnerId"/>
/// naming another partner finds nothing. <see cref="Status"/>, <see cref="ExpiresWithinHours"/> and
/// <see cref="RevokedWithinDays"/> say which grants they want themselves; without any of them
/// <see cref="CurrentOnly"/> keeps active, scheduled and suspended ones. The meaning of each filter is
/// <see cref="GrantFilters"/>', which the dashboard counts with, so a chart and the list behind it agree.
/// </summary>
[RequirePolicy(Policies.SignedIn)]
public sealed record ListGrantsQuery(
    bool CurrentOnly = true,
    GrantStatus? Status = null,
    Guid? PartnerId = null,
    Sensitivity? Sensitivity = null,
    int? ExpiresWithinHours = null,
    int? RevokedWithinDays = null) : IQuery<Result<IReadOnlyList<GrantSummary>>>
{
    /// <summary>True when a filter names the statuses it wants, so the current-only default does not apply.</summary>
    public bool NamesStatus => Status is not null || ExpiresWithinHours is not null || RevokedWithinDays is not null;
}

public sealed class ListGrantsValidator : AbstractValidator<ListGrantsQuery>
{
    public ListGrantsValidator()
    {
        RuleFor(q => q.ExpiresWithinHours).InclusiveBetween(1, GrantFilters.MaxExpiresWithinHours)
            .WithMessage($"\"Expires within\" takes 1 to {GrantFilters.MaxExpiresWithinHours} hours.");
        RuleFor(q => q.RevokedWithinDays).InclusiveBetween(1, GrantFilters.MaxRevokedWithinDays)
            .WithMessage($"\"Revoked within\" takes 1 to {GrantFilters.MaxRevokedWithinDays} days.");
        RuleFor(q => q.Status).IsInEnum().WithMessage("Unknown grant status.");
        RuleFor(q => q.Sensitivity).IsInEnum().WithMessage("Unknown sensitivity.");
    }
}

/// <summary>
/// What "active", "expiring within" and "revoked within" mean, in one place for the grants list and the dashboard.
/// Times are compared with values computed here, never with arithmetic inside the query: SQLite stores
/// timestamps as UTC ticks and can compare them, but not add to them.
/// </summary>
public static class GrantFilters
{
    public const int MaxExpiresWithinHours = 24 * 30;
    public const int MaxRevokedWithinDays = 90;

    /// <summary>In effect now: status active and its window not yet closed (the sweep may lag by a few seconds).</summary>
    public static IQueryable<Grant> ActiveAt(this IQueryable<Grant> grants, DateTimeOffset now) =>
        grants.Where(g => g.Status == GrantStatus.Active && g.NotAfter > now);

    /// <summary>Active now and ending in (now, now + <paramref name="within"/>].</summary>
    public static IQueryable<Grant> ExpiringWithin(this IQueryable<Grant> grants, DateTimeOffset now, TimeSpan within)
    {
        var until = now + within;
        return grants.ActiveAt(now).Where(g => g.NotAfter <= until);
    }

    /// <summary>
    /// The first moment of "the last <paramref name="days"/> days": midnight UTC of the day <paramref name="days"/> − 1
    /// before today, so 7 days are today and the six before it, whole days as the dashboard's chart shows them.
    /// </summary>
    public static DateTimeOffset RevocationWindowStart(DateTimeOffset now, int days) =>
        new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-(days - 1));

    /// <summary>Revoked (by a person, a kill switch or the partner giving it up) at or after <paramref name="since"/>.</summary>
    public static IQueryable<Grant> RevokedSince(this IQueryable<Grant> grants, DateTimeOffset since) =>
        grants.Where(g => g.Status == GrantStatus.Revoked && g.EndedAt >= since);

    public static IQueryable<Grant> WithStatus(this IQueryable<Grant> grants, GrantStatus status, DateTimeOffset now) =>
        status == GrantStatus.Active ? grants.ActiveAt(now) : grants.Where(g => g.Status == status);
}

public sealed class ListGrantsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock)
    : IQueryHandler<ListGrantsQuery, Result<IReadOnlyList<GrantSummary>>>
{
    public async ValueTask<Result<IReadOnlyList<GrantSummary>>> Handle(ListGrantsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();

        // Visibility first; every filter below only narrows what the user may see anyway (invariant 4).
        var grants = db.Grants.AsNoTracking().VisibleTo(currentUser);
        if (query.CurrentOnly && !query.NamesStatus)
        {
            grants = grants.Where(g => g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended);
        }

        if (query.Status is { } status)
        {
            grants = grants.WithStatus(status, now);
        }

        if (query.PartnerId is { } partnerId)
        {
            grants = grants.Where(g => g.PartnerId == partnerId);
        }

        if (query.ExpiresWithinHours is { } hours)
        {
            grants = grants.ExpiringWithin(now, TimeSpan.FromHours(hours));
        }

        if (query.RevokedWithinDays is { } days)
        {
            grants = grants.RevokedSince(GrantFilters.RevocationWindowStart(now, days));
        }

        if (query.Sensitivity is { } sensitivity)
        {
            grants = grants.Where(g => db.Resources.Any(r => r.Id == g.ResourceId && r.Sensitivity == sensitivity));
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
