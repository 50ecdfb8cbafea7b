using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Clients;

public sealed record ApiClientGrant(Guid GrantId, string ResourceName, IReadOnlyList<string> Scopes, DateTimeOffset NotBefore, DateTimeOffset NotAfter, GrantStatus Status);

public sealed record ApiClientDetails(ApiClientSummary Client, IReadOnlyList<string> RedirectUris, IReadOnlyList<ApiClientGrant> Grants,
    IReadOnlyList<string> WorkloadSubjects);

/// <summary>One client the user may see, with its redirect URIs, workload subjects and grants (newest first).</summary>
[RequirePolicy(Policies.SignedIn)]
public sealed record GetApiClientQuery(string ClientId) : IQuery<Result<ApiClientDetails>>;

public sealed class GetApiClientValidator : AbstractValidator<GetApiClientQuery>
{
    public GetApiClientValidator() => RuleFor(c => c.ClientId).NotEmpty().WithMessage("Choose a client.");
}

public sealed class GetApiClientHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<GetApiClientQuery, Result<ApiClientDetails>>
{
    public async ValueTask<Result<ApiClientDetails>> Handle(GetApiClientQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var row = await (
                from client in db.ApiClients.AsNoTracking().VisibleTo(currentUser)
                join partner in db.Partners on client.PartnerId equals partner.Id
                where client.ClientId == query.ClientId
                select new { client, PartnerName = partner.Name })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return ClientVisibility.NotFound(query.ClientId);
        }

        var grants = await (
                from grant in db.Grants.AsNoTracking()
                join resource in db.Resources on grant.ResourceId equals resource.Id
                where grant.Subject.Kind == SubjectKind.Client && grant.Subject.Id == row.client.ClientId && grant.PartnerId == row.client.PartnerId
                orderby grant.NotAfter descending
                select new { grant, resource.DisplayName })
            .Take(200)
            .ToListAsync(cancellationToken);

        var summary = ApiClientSummary.From(row.client, row.PartnerName, grants.Count(g => g.grant.Status == GrantStatus.Active));
        return new ApiClientDetails(summary, row.client.RedirectUris,
            grants.Select(g => new ApiClientGrant(g.grant.Id, g.DisplayName, g.grant.Scopes, g.grant.NotBefore, g.grant.NotAfter, g.grant.Status)).ToList(),
            row.client.WorkloadSubjects);
    }
}
