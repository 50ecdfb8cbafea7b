using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Home;

/// <summary>Whose figures the home page shows: the whole network, one partner, or one user.</summary>
public enum FiguresScope
{
    Network,
    Partner,
    Personal,
}

/// <summary>The home page's figures, counted within what the signed-in user may see (invariant 4).</summary>
public sealed record HomeFigures(FiguresScope Scope, string? PartnerName, int PendingRequests, int ActiveGrants, int Partners);

[RequirePolicy(Policies.SignedIn)]
public sealed record GetHomeFiguresQuery : IQuery<Result<HomeFigures>>;

public sealed class GetHomeFiguresHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock)
    : IQueryHandler<GetHomeFiguresQuery, Result<HomeFigures>>
{
    public async ValueTask<Result<HomeFigures>> Handle(GetHomeFiguresQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var pending = db.AccessRequests.Where(r => r.Status == AccessRequestStatus.Pending);
        var active = db.Grants.Where(g => g.Status == GrantStatus.Active && g.NotAfter > now);

        if (currentUser.PartnerId is not { } partnerId)
        {
            if (!currentUser.IsInRole(Roles.Administrator) && !currentUser.IsInRole(Roles.Approver))
            {
                return Error.Forbidden("no_role", "Your account has no role yet; ask an administrator.");
            }

            return new HomeFigures(FiguresScope.Network, null,
                await pending.CountAsync(cancellationToken),
                await active.CountAsync(cancellationToken),
                await db.Partners.CountAsync(p => p.Status == PartnerStatus.Active, cancellationToken));
        }

        var partnerName = await db.Partners.Where(p => p.Id == partnerId).Select(p => p.Name).SingleOrDefaultAsync(cancellationToken);
        if (partnerName is null)
        {
            return Error.NotFound("partner_not_found", "Your organisation is no longer registered.");
        }

        if (currentUser.IsInRole(Roles.PartnerAdmin))
        {
            return new HomeFigures(FiguresScope.Partner, partnerName,
                await pending.CountAsync(r => r.PartnerId == partnerId, cancellationToken),
                await active.CountAsync(g => g.PartnerId == partnerId, cancellationToken),
                1);
        }

        var userId = currentUser.UserId!.Value;
        var subject = AccessSubject.ForUser(userId);
        return new HomeFigures(FiguresScope.Personal, partnerName,
            await pending.CountAsync(r => r.PartnerId == partnerId && r.RequestedByUserId == userId, cancellationToken),
            await active.CountAsync(g => g.PartnerId == partnerId && g.Subject.Kind == subject.Kind && g.Subject.Id == subject.Id, cancellationToken),
            1);
    }
}
