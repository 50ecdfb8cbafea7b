using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Clients;

/// <summary>
/// Invariant 4 for API clients: partner members see their own partner's clients, administrators and
/// approvers see all. Filtered in the query, so another partner's client id reads as "not found", never
/// "forbidden" (which would confirm that it exists).
/// </summary>
public static class ClientVisibility
{
    public static IQueryable<ApiClient> VisibleTo(this IQueryable<ApiClient> clients, ICurrentUser user)
    {
        if (user.PartnerId is { } partnerId)
        {
            return clients.Where(c => c.PartnerId == partnerId);
        }

        return user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Approver) ? clients : clients.Where(_ => false);
    }

    /// <summary>The client a command acts on, when the user may see it; tracked through the unit of work's context.</summary>
    public static Task<ApiClient?> FindVisibleAsync(this IQueryable<ApiClient> clients, ICurrentUser user, string clientId, CancellationToken cancellationToken) =>
        clients.VisibleTo(user).SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);

    /// <summary>The visible client and its OpenIddict application, both tracked, for commands that change its credential.</summary>
    public static async Task<(ApiClient Client, OpenIddictEntityFrameworkCoreApplication Application)?> FindVisibleWithApplicationAsync(
        this PartnerGateDbContext db, ICurrentUser user, string clientId, CancellationToken cancellationToken)
    {
        var client = await db.ApiClients.FindVisibleAsync(user, clientId, cancellationToken);
        var application = client is null ? null : await ClientApplications.FindAsync(db, client.ClientId, cancellationToken);
        return client is null || application is null ? null : (client, application);
    }

    public static Error NotFound(string clientId) =>
        Error.NotFound("client.not_found", $"There is no API client '{clientId}' in your view.");
}
