using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.Web.Features.Account;

public enum HomeRealmKind
{
    /// <summary>Manufacturer staff, or a partner without its own provider: the password step.</summary>
    Local,

    /// <summary>A verified domain of a partner with an enabled provider: off to that provider.</summary>
    Federated,

    /// <summary>The partner's provider is disabled or the partner suspended: nobody of that domain signs in (no fallback to passwords).</summary>
    Refused,
}

public sealed record HomeRealm(HomeRealmKind Kind, Guid? ProviderId = null, string? ProviderName = null, string? Message = null)
{
    public static HomeRealm Local { get; } = new(HomeRealmKind.Local);
}

/// <summary>The partner (and its provider, if any) whose verified domain an e-mail address is in.</summary>
public sealed record EmailRealm(Partner Partner, PartnerIdentityProvider? Provider);

public static class HomeRealms
{
    public static string ProviderDisabledMessage(string partnerName) =>
        $"Sign-in through {partnerName}'s identity provider is switched off, so members of {partnerName} cannot sign in at the moment; " +
        "contact your IT department or the PartnerGate administrators of Acme Precision Works.";

    public static string PartnerSuspendedMessage(string partnerName) =>
        $"{partnerName}'s access to PartnerGate is suspended, so its members cannot sign in; contact the PartnerGate administrators of Acme Precision Works.";

    /// <summary>The partner owning the e-mail's domain (domains are unique across partners), with its provider; null for any other address.</summary>
    public static async Task<EmailRealm?> FindAsync(PartnerGateDbContext db, string email, CancellationToken cancellationToken)
    {
        var at = email.LastIndexOf('@');
        var domain = at > 0 && at < email.Length - 1 ? PartnerDomain.Normalize(email[(at + 1)..]) : null;
        if (domain is null)
        {
            return null;
        }

        var partner = await db.Partners.AsNoTracking().SingleOrDefaultAsync(p => p.Domains.Any(d => d.Name == domain), cancellationToken);
        if (partner is null)
        {
            return null;
        }

        var provider = await db.PartnerIdentityProviders.AsNoTracking().SingleOrDefaultAsync(p => p.PartnerId == partner.Id, cancellationToken);
        return new EmailRealm(partner, provider);
    }
}

/// <summary>
/// Home-realm discovery: where the person with this e-mail signs in. Anonymous, like the sign-in page it
/// serves; it tells only what the sign-in page would show anyway (whether a domain is federated), never
/// whether an account exists.
/// </summary>
[AllowAnonymousMessage]
public sealed record FindHomeRealmQuery(string Email) : IQuery<Result<HomeRealm>>;

public sealed class FindHomeRealmValidator : AbstractValidator<FindHomeRealmQuery>
{
    public FindHomeRealmValidator()
    {
        RuleFor(q => q.Email).NotEmpty().WithMessage("Enter your e-mail address.")
            .MaximumLength(256).WithMessage("That e-mail address is too long.")
            .EmailAddress().WithMessage("Enter a valid e-mail address.");
    }
}

public sealed class FindHomeRealmHandler(IDbContextFactory<PartnerGateDbContext> contextFactory)
    : IQueryHandler<FindHomeRealmQuery, Result<HomeRealm>>
{
    public async ValueTask<Result<HomeRealm>> Handle(FindHomeRealmQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var realm = await HomeRealms.FindAsync(db, query.Email.Trim(), cancellationToken);
        if (realm?.Provider is not { } provider)
        {
            return HomeRealm.Local;
        }

        if (realm.Partner.Status == PartnerStatus.Suspended)
        {
            return new HomeRealm(HomeRealmKind.Refused, provider.Id, provider.DisplayName, HomeRealms.PartnerSuspendedMessage(realm.Partner.Name));
        }

        return provider.IsEnabled
            ? new HomeRealm(HomeRealmKind.Federated, provider.Id, provider.DisplayName)
            : new HomeRealm(HomeRealmKind.Refused, provider.Id, provider.DisplayName, HomeRealms.ProviderDisabledMessage(realm.Partner.Name));
    }
}
