using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Web.Infrastructure.Mediator;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// Invariant 5 in OpenIddict's own records: when a grant ends by revocation, the authorizations its tokens
/// were issued under and every token of them (access and refresh) are marked revoked in the same
/// transaction as the grant. Introspection refuses such tokens anyway (the grant check), but refresh
/// tokens, OpenIddict's revocation endpoint and anyone reading its tables see the same truth.
/// </summary>
public static class GrantTokenRevocation
{
    public static void RevokeTokensOf(this IUnitOfWork unitOfWork, IReadOnlyCollection<Guid> grantIds) =>
        unitOfWork.ExecuteInTransaction(async (db, cancellationToken) =>
        {
            var authorizationIds = db.GrantAuthorizations.Where(l => grantIds.Contains(l.GrantId)).Select(l => l.AuthorizationId);
            await db.Set<OpenIddictEntityFrameworkCoreToken>()
                .Where(t => t.Authorization != null && authorizationIds.Contains(t.Authorization.Id) && t.Status != Statuses.Revoked)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.Status, Statuses.Revoked), cancellationToken);
            await db.Set<OpenIddictEntityFrameworkCoreAuthorization>()
                .Where(a => authorizationIds.Contains(a.Id) && a.Status != Statuses.Revoked)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.Status, Statuses.Revoked), cancellationToken);
        });
}
