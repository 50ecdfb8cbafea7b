using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

/// <summary>
/// A registered provider as the administrator's form shows it. There is no secret here, protected or not:
/// only the fact that one is stored. <see cref="RedirectUri"/> is what the partner registers at its IdP.
/// </summary>
public sealed record IdentityProviderDetails(
    Guid Id,
    Guid PartnerId,
    string PartnerName,
    IdentityProviderSettings Settings,
    IdentityProviderStatus Status,
    string? DisabledReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    Guid Version,
    string CallbackPath,
    string? RedirectUri);

/// <summary>
/// The identity provider of one partner, for administrators. <see cref="PortalBaseUri"/> is the portal address
/// the administrator uses (the address partner users reach it on); it turns the callback path into the full
/// redirect URI.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record GetIdentityProviderQuery(Guid PartnerId, string? PortalBaseUri = null) : IQuery<Result<IdentityProviderDetails>>;

public sealed class GetIdentityProviderValidator : AbstractValidator<GetIdentityProviderQuery>
{
    public GetIdentityProviderValidator() => RuleFor(q => q.PartnerId).NotEmpty().WithMessage("Choose a partner.");
}

public sealed class GetIdentityProviderHandler(IDbContextFactory<PartnerGateDbContext> contextFactory)
    : IQueryHandler<GetIdentityProviderQuery, Result<IdentityProviderDetails>>
{
    public async ValueTask<Result<IdentityProviderDetails>> Handle(GetIdentityProviderQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var row = await (
                from provider in db.PartnerIdentityProviders.AsNoTracking()
                join partner in db.Partners on provider.PartnerId equals partner.Id
                where provider.PartnerId == query.PartnerId
                select new { provider, PartnerName = partner.Name })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return IdentityProviderLookup.NotFound;
        }

        var p = row.provider;
        return new IdentityProviderDetails(p.Id, p.PartnerId, row.PartnerName,
            new IdentityProviderSettings(p.DisplayName, p.Authority, p.ClientId, p.Scopes, p.ClaimMapping.EmailClaim, p.ClaimMapping.NameClaim,
                p.ClaimMapping.RoleClaim, p.ClaimMapping.PartnerAdminRoleValue, p.Mfa.Required, p.Mfa.AcceptedAcrValues),
            p.Status, p.DisabledReason, p.CreatedAt, p.UpdatedAt, p.Version, p.CallbackPath,
            IdentityProviderFields.RedirectUri(query.PortalBaseUri, p.Id));
    }
}

internal static class IdentityProviderLookup
{
    public static readonly Error NotFound = Error.NotFound("idp.not_found", "This identity provider is not registered (any more). Reload the partner list.");

    /// <summary>The provider, tracked for a command to change.</summary>
    public static Task<PartnerIdentityProvider?> FindAsync(PartnerGateDbContext db, Guid providerId, CancellationToken cancellationToken) =>
        db.PartnerIdentityProviders.SingleOrDefaultAsync(p => p.Id == providerId, cancellationToken);
}
