using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.KillSwitches;

/// <summary>One choice in a kill switch's picker.</summary>
public sealed record KillSwitchChoice(string Id, string Name, string? Detail);

/// <summary>Everything the kill switch page lets an administrator pick from.</summary>
public sealed record KillSwitchChoices(
    IReadOnlyList<KillSwitchChoice> Users, IReadOnlyList<KillSwitchChoice> Clients, IReadOnlyList<KillSwitchChoice> Partners, IReadOnlyList<KillSwitchChoice> Resources);

/// <summary>What a kill switch would end right now: the numbers its confirmation states.</summary>
public sealed record KillSwitchPreview(KillSwitchKind Kind, string TargetId, string TargetName, int Grants, int PendingRequests, bool EndsSessions);

[RequirePolicy(Policies.Administrator)]
public sealed record ListKillSwitchChoicesQuery : IQuery<Result<KillSwitchChoices>>;

[RequirePolicy(Policies.Administrator)]
public sealed record PreviewKillSwitchQuery(KillSwitchKind Kind, string? TargetId) : IQuery<Result<KillSwitchPreview>>;

public sealed class KillSwitchQueriesHandler(IDbContextFactory<PartnerGateDbContext> contextFactory)
    : IQueryHandler<ListKillSwitchChoicesQuery, Result<KillSwitchChoices>>, IQueryHandler<PreviewKillSwitchQuery, Result<KillSwitchPreview>>
{
    public async ValueTask<Result<KillSwitchChoices>> Handle(ListKillSwitchChoicesQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var partnerNames = await db.Partners.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        string? PartnerName(Guid? id) => id is { } value ? partnerNames.GetValueOrDefault(value) : "Acme staff";

        var users = (await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).Select(u => new { u.Id, u.DisplayName, u.Email, u.PartnerId }).ToListAsync(cancellationToken))
            .Select(u => new KillSwitchChoice(u.Id.ToString(), $"{u.DisplayName} ({u.Email})", PartnerName(u.PartnerId))).ToList();
        var clients = (await db.ApiClients.AsNoTracking().OrderBy(c => c.ClientId).Select(c => new { c.ClientId, c.DisplayName, c.PartnerId }).ToListAsync(cancellationToken))
            .Select(c => new KillSwitchChoice(c.ClientId, $"{c.DisplayName} ({c.ClientId})", PartnerName(c.PartnerId))).ToList();
        var partners = partnerNames.OrderBy(p => p.Value, StringComparer.Ordinal).Select(p => new KillSwitchChoice(p.Key.ToString(), p.Value, null)).ToList();
        var resources = await db.Resources.AsNoTracking().OrderBy(r => r.DisplayName)
            .Select(r => new KillSwitchChoice(r.Id.ToString(), r.DisplayName, r.Audience)).ToListAsync(cancellationToken);
        return new KillSwitchChoices(users, clients, partners, resources);
    }

    public async ValueTask<Result<KillSwitchPreview>> Handle(PreviewKillSwitchQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await KillSwitchScope.ResolveAsync(db, query.Kind, query.TargetId, cancellationToken) is not { } target)
        {
            return KillSwitchScope.NotFound(query.Kind);
        }

        var grants = await KillSwitchScope.Grants(db, target).CountAsync(cancellationToken);
        var requests = await KillSwitchScope.PendingRequests(db, target).CountAsync(cancellationToken);
        return new KillSwitchPreview(target.Kind, target.Key, target.Name, grants, requests, EndsSessions: target.Kind == KillSwitchKind.User);
    }
}
