using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

public sealed record CertificationSummary(string Name, DateTimeOffset ValidUntil, bool IsValid);

public sealed record PartnerSummary(
    Guid Id, string Name, PartnerStatus Status, IReadOnlyList<string> Domains, IReadOnlyList<CertificationSummary> Certifications, int Users,
    PartnerSignIn? SignIn = null, string? SuspensionReason = null);

/// <summary>
/// How a partner's people sign in when it has an identity provider (none: local passwords). What a viewer
/// sees of it depends on who they are: <see cref="Issuer"/> only for administrators and the partner's own
/// admins, <see cref="DisabledReason"/> only for administrators; never anything about the secret.
/// </summary>
public sealed record PartnerSignIn(Guid ProviderId, string DisplayName, IdentityProviderStatus Status, string? Issuer, string? DisabledReason);

/// <summary>All partners, for manufacturer staff.</summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record ListPartnersQuery : IQuery<Result<IReadOnlyList<PartnerSummary>>>;

/// <summary>The signed-in partner member's own organisation — and no other (invariant 4).</summary>
[RequirePolicy(Policies.PartnerMember)]
public sealed record GetMyPartnerQuery : IQuery<Result<PartnerSummary>>;

public sealed class PartnerQueriesHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock)
    : IQueryHandler<ListPartnersQuery, Result<IReadOnlyList<PartnerSummary>>>, IQueryHandler<GetMyPartnerQuery, Result<PartnerSummary>>
{
    public async ValueTask<Result<IReadOnlyList<PartnerSummary>>> Handle(ListPartnersQuery query, CancellationToken cancellationToken) =>
        Result<IReadOnlyList<PartnerSummary>>.Success(await LoadAsync(partnerId: null, cancellationToken));

    public async ValueTask<Result<PartnerSummary>> Handle(GetMyPartnerQuery query, CancellationToken cancellationToken)
    {
        var partnerId = currentUser.PartnerId ?? throw new InvalidOperationException("The PartnerMember policy guarantees a partner id.");
        var partners = await LoadAsync(partnerId, cancellationToken);
        return partners.Count == 1 ? partners[0] : Error.NotFound("partner_not_found", "Your organisation is no longer registered.");
    }

    private async Task<IReadOnlyList<PartnerSummary>> LoadAsync(Guid? partnerId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var partners = await db.Partners.AsNoTracking()
            .Where(p => partnerId == null || p.Id == partnerId)
            .OrderBy(p => p.Name)
            .ToListAsync(cancellationToken);
        var ids = partners.Select(p => p.Id).ToList();
        var userCounts = await db.Users
            .Where(u => u.PartnerId != null && ids.Contains(u.PartnerId.Value))
            .GroupBy(u => u.PartnerId!.Value)
            .Select(g => new { PartnerId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.PartnerId, x => x.Count, cancellationToken);

        var seesIssuer = currentUser.IsInRole(Roles.Administrator) || (partnerId is not null && currentUser.IsInRole(Roles.PartnerAdmin));
        var seesReason = partnerId is null && currentUser.IsInRole(Roles.Administrator);
        var providers = await db.PartnerIdentityProviders.AsNoTracking()
            .Where(p => ids.Contains(p.PartnerId))
            .Select(p => new { p.Id, p.PartnerId, p.DisplayName, p.Status, p.Authority, p.DisabledReason })
            .ToDictionaryAsync(p => p.PartnerId, p => new PartnerSignIn(p.Id, p.DisplayName, p.Status,
                seesIssuer ? p.Authority : null, seesReason ? p.DisabledReason : null), cancellationToken);

        return partners.Select(p => new PartnerSummary(
            p.Id, p.Name, p.Status,
            p.Domains.Select(d => d.Name).Order(StringComparer.Ordinal).ToList(),
            p.Certifications.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => new CertificationSummary(c.Name, c.ValidUntil, c.ValidUntil > now)).ToList(),
            userCounts.GetValueOrDefault(p.Id),
            providers.GetValueOrDefault(p.Id),
            p.SuspensionReason)).ToList();
    }
}
