using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>One grant for the admin API; staff only; an unknown id is 404.</summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record GetAdminGrantQuery(Guid GrantId) : IQuery<Result<AdminGrant>>;

public sealed class GetAdminGrantHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<GetAdminGrantQuery, Result<AdminGrant>>
{
    public async ValueTask<Result<AdminGrant>> Handle(GetAdminGrantQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var row = await (from grant in db.Grants.AsNoTracking().VisibleTo(currentUser)
                         where grant.Id == query.GrantId
                         join partner in db.Partners on grant.PartnerId equals partner.Id
                         join resource in db.Resources on grant.ResourceId equals resource.Id
                         select new AdminGrantRow(grant, partner.Name, resource.Name, resource.DisplayName, resource.Audience, resource.Sensitivity))
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return Error.NotFound("grant_not_found", "That grant does not exist.");
        }

        return (await AdminGrantRow.ToGrantsAsync(db, [row], cancellationToken))[0];
    }
}
