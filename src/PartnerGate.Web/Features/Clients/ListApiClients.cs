using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Clients;

public sealed record ApiClientSummary(
    string ClientId, string DisplayName, Guid? PartnerId, string PartnerName, ApiClientKind Kind, ClientAuthenticationMethod AuthenticationMethod,
    ApiClientStatus Status, string? DisabledReason, bool DisabledByManufacturer, DateTimeOffset CreatedAt, DateTimeOffset CredentialSetAt, int ActiveGrants)
{
    public static ApiClientSummary From(ApiClient c, string partnerName, int activeGrants) => new(c.ClientId, c.DisplayName, c.PartnerId, partnerName,
        c.Kind, c.AuthenticationMethod, c.Status, c.DisabledReason, c.DisabledByManufacturer, c.CreatedAt, c.CredentialSetAt, activeGrants);
}

/// <summary>
/// The API clients the user may see: a partner member their organisation's (partner users read-only),
/// administrators and approvers all of them with partner names. The manufacturer's resource servers are
/// not partner clients and are left out.
/// </summary>
[RequirePolicy(Policies.SignedIn)]
public sealed record ListApiClientsQuery : IQuery<Result<IReadOnlyList<ApiClientSummary>>>;

public sealed class ListApiClientsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<ListApiClientsQuery, Result<IReadOnlyList<ApiClientSummary>>>
{
    public async ValueTask<Result<IReadOnlyList<ApiClientSummary>>> Handle(ListApiClientsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await (
                from client in db.ApiClients.AsNoTracking().VisibleTo(currentUser)
                join partner in db.Partners on client.PartnerId equals partner.Id
                orderby partner.Name, client.ClientId
                select new { client, PartnerName = partner.Name })
            .ToListAsync(cancellationToken);

        var clientIds = rows.Select(r => r.client.ClientId).ToList();
        var grants = await db.Grants.AsNoTracking()
            .Where(g => g.Subject.Kind == SubjectKind.Client && clientIds.Contains(g.Subject.Id) && g.Status == GrantStatus.Active)
            .GroupBy(g => g.Subject.Id)
            .Select(g => new { ClientId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.ClientId, g => g.Count, cancellationToken);

        return rows.Select(r => ApiClientSummary.From(r.client, r.PartnerName, grants.GetValueOrDefault(r.client.ClientId))).ToList();
    }
}
