using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Web.Infrastructure.Mediator;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>
/// Ends people's sessions in the command's transaction (invariant 5): a new security stamp refuses their portal cookies
/// at the next request and their open circuits at the next revalidation (<see cref="SessionValidation"/>), and their
/// code-flow authorizations and tokens (refresh tokens included) are revoked in OpenIddict's tables.
/// </summary>
public static class SessionTermination
{
    public static void EndSessionsOf(this IUnitOfWork unitOfWork, IReadOnlyCollection<Guid> userIds)
    {
        if (userIds.Count == 0)
        {
            return;
        }

        // OpenIddict stores the subject as the user id's text; computed here so no provider has to format a Guid.
        var subjects = userIds.Select(id => id.ToString()).ToList();
        unitOfWork.ExecuteInTransaction(async (db, cancellationToken) =>
        {
            // One fresh stamp for all: it only has to differ from what every existing cookie carries.
            var stamp = Guid.NewGuid().ToString("N");
            var concurrency = Guid.NewGuid().ToString();
            await db.Users.Where(u => userIds.Contains(u.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.SecurityStamp, stamp).SetProperty(u => u.ConcurrencyStamp, concurrency), cancellationToken);
            await db.Set<OpenIddictEntityFrameworkCoreToken>()
                .Where(t => t.Subject != null && subjects.Contains(t.Subject) && t.Status != Statuses.Revoked)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.Status, Statuses.Revoked), cancellationToken);
            await db.Set<OpenIddictEntityFrameworkCoreAuthorization>()
                .Where(a => a.Subject != null && subjects.Contains(a.Subject) && a.Status != Statuses.Revoked)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.Status, Statuses.Revoked), cancellationToken);
        });
    }
}
