using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.SupplyNetworkData;
using PartnerGate.Web.Features.KillSwitches;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessMap;

/// <summary>One resource a partner reaches, with the scopes it holds there and, for the demo API, the records per scope.</summary>
public sealed record ReachedResource(
    Guid ResourceId, string Name, string Audience, Sensitivity Sensitivity, IReadOnlyList<string> Scopes, bool InDemoApi,
    IReadOnlyList<ScopeReach> Records);

/// <summary>What the partner's grants reach at one point: resources, scopes, the subjects and grants behind them, and demo-API records.</summary>
public sealed record Reach(IReadOnlyList<ReachedResource> Resources, int Subjects, int Grants, int DemoApiRecords)
{
    public IReadOnlyList<string> Scopes => [.. Resources.SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}

/// <summary>
/// The blast radius of a compromised partner: what it reaches <see cref="Now"/>, and <see cref="WithinHorizon"/> (now plus
/// the grants that start before <see cref="HorizonEnd"/>); what the partner kill switch would end (its grants and pending
/// requests, <see cref="KillSwitchScope"/>'s own definition).
/// </summary>
public sealed record BlastRadius(
    Guid PartnerId,
    string PartnerName,
    DateTimeOffset GeneratedAt,
    DateTimeOffset HorizonEnd,
    Reach Now,
    Reach WithinHorizon,
    int KillSwitchGrants,
    int PendingRequests,
    int SuspendedGrants = 0);

/// <summary>Staff: any partner. A partner admin: their own only; another partner's id reads as not found.</summary>
[RequirePolicy(AccessMapPolicies.Viewer)]
public sealed record GetBlastRadiusQuery(Guid PartnerId) : IQuery<Result<BlastRadius>>;

public sealed class GetBlastRadiusHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock)
    : IQueryHandler<GetBlastRadiusQuery, Result<BlastRadius>>
{
    public async ValueTask<Result<BlastRadius>> Handle(GetBlastRadiusQuery query, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var confinedTo = AccessMapPolicies.ConfinedTo(currentUser);
        var notFound = KillSwitchScope.NotFound(KillSwitchKind.Partner);
        if (confinedTo is { } own && own != query.PartnerId)
        {
            return notFound;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await KillSwitchScope.ResolveAsync(db, KillSwitchKind.Partner, query.PartnerId.ToString(), cancellationToken) is not { } target)
        {
            return notFound;
        }

        var grants = await AccessMapGrants.LoadAsync(db, now, confinedTo, query.PartnerId, null, null, cancellationToken);
        var killSwitchGrants = await KillSwitchScope.Grants(db, target).CountAsync(cancellationToken);
        var pending = await KillSwitchScope.PendingRequests(db, target).CountAsync(cancellationToken);

        // The demo API's dates count from the Monday of this week; the counts themselves do not depend on it.
        var anchor = SupplyNetworkDataGenerator.StartOfWeek(now);
        return new BlastRadius(target.Guid, target.Name, now, now + GetAccessMapHandler.Horizon,
            // Suspended grants reach nothing until renewed or reinstated, so neither reach counts them; the panel names them.
            ReachOf([.. grants.Where(g => !g.Upcoming && !g.Suspended)], query.PartnerId, anchor),
            ReachOf([.. grants.Where(g => !g.Suspended)], query.PartnerId, anchor),
            killSwitchGrants, pending, grants.Count(g => g.Suspended));
    }

    /// <summary>What <paramref name="grants"/> (all of one partner) reach together.</summary>
    public static Reach ReachOf(IReadOnlyList<AccessMapGrant> grants, Guid partnerId, DateOnly anchor)
    {
        var resources = grants
            .GroupBy(g => g.ResourceId)
            .Select(group =>
            {
                var first = group.First();
                var scopes = group.SelectMany(g => g.Scopes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                var inDemoApi = SupplyNetworkReach.Serves(first.Audience);
                var records = inDemoApi ? SupplyNetworkReach.Count(partnerId, scopes, anchor).Scopes : [];
                return new ReachedResource(first.ResourceId, first.ResourceName, first.Audience, first.Sensitivity, scopes, inDemoApi, records);
            })
            .OrderByDescending(r => r.Sensitivity)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();

        // All demo resources are one API serving one data set per partner: count the scopes of all of them together, so
        // a scope held on two resources (or orders read and acknowledged) counts its records once.
        var demoScopes = resources.Where(r => r.InDemoApi).SelectMany(r => r.Scopes);
        var demoRecords = SupplyNetworkReach.Count(partnerId, demoScopes, anchor).DistinctRecords;
        var subjects = grants.Select(g => (g.SubjectKind, g.SubjectId)).Distinct().Count();
        return new Reach(resources, subjects, grants.Count, demoRecords);
    }
}
