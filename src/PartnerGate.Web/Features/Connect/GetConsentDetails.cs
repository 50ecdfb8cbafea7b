using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;
using OAuthErrors = OpenIddict.Abstractions.OpenIddictConstants.Errors;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// What the signed-in user would consent to when <paramref name="ClientId"/> asks to act for them, or why
/// it may not (invariants 2 and 4): the client must be an active web app of the user's own partner, the
/// user a partner member (manufacturer staff never sign in to partner apps), and the requested resource
/// scopes must belong to one resource and be covered by the user's grants in effect now. Asked up front at
/// <c>/connect/authorize</c>, again for the consent page and again when consent is given; the token
/// endpoint decides once more when the code is redeemed.
/// </summary>
/// <param name="ClientId">The client OpenIddict validated.</param>
/// <param name="RedirectUri">Must be one of the client's registered redirect URIs, exactly (its origin is let through the consent page's CSP).</param>
/// <param name="Scopes">Requested scopes: resource scopes of one resource, and OpenID Connect scopes beside them.</param>
/// <param name="Resources">RFC 8707 resource indicators, at most one.</param>
[RequirePolicy(Policies.SignedIn)]
public sealed record GetConsentDetailsQuery(string ClientId, string RedirectUri, IReadOnlyList<string> Scopes, IReadOnlyList<string> Resources)
    : IQuery<Result<ConsentDetails>>;

public sealed record ConsentDetails(
    string ClientId,
    string ClientName,
    Guid PartnerId,
    string PartnerName,
    Guid UserId,
    string UserName,
    string? UserEmail,
    string ResourceName,
    string Audience,
    IReadOnlyList<ConsentScope> Scopes,
    IReadOnlyList<string> IdentityScopes,
    IReadOnlyList<Guid> GrantIds,
    string RedirectOrigin)
{
    /// <summary>Every scope the authorization carries: the resource's and the OpenID Connect ones.</summary>
    public IEnumerable<string> AllScopes => Scopes.Select(s => s.Name).Concat(IdentityScopes);
}

/// <summary>One resource scope on the consent page: what it allows and until when the user's grant covers it.</summary>
public sealed record ConsentScope(string Name, string Description, DateTimeOffset CoveredUntil, Guid GrantId);

public static class ConsentRefusals
{
    public static Error AccessDenied(string description) => Error.Forbidden(OAuthErrors.AccessDenied, description);
}

public sealed class GetConsentDetailsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock, ResourceCatalog resourceCatalog)
    : IQueryHandler<GetConsentDetailsQuery, Result<ConsentDetails>>
{
    public async ValueTask<Result<ConsentDetails>> Handle(GetConsentDetailsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var client = await db.ApiClients.AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == query.ClientId, cancellationToken);
        if (client is not { Kind: ApiClientKind.WebApp } || !client.IsActive || client.PartnerId is not { } clientPartnerId)
        {
            return ConsentRefusals.AccessDenied("This application is unknown or disabled; it cannot sign you in.");
        }

        if (!client.RedirectUris.Contains(query.RedirectUri, StringComparer.Ordinal)
            || !Uri.TryCreate(query.RedirectUri, UriKind.Absolute, out var redirectUri))
        {
            return Error.Validation(OAuthErrors.InvalidRequest, "The redirect URI is not registered for this application.");
        }

        if (currentUser.UserId is not { } userId || currentUser.PartnerId is not { } userPartnerId)
        {
            return ConsentRefusals.AccessDenied(
                "Manufacturer staff do not sign in to partner applications. Use the PartnerGate portal, or sign in with a partner account.");
        }

        var partner = await db.Partners.AsNoTracking().SingleAsync(p => p.Id == clientPartnerId, cancellationToken);
        if (userPartnerId != clientPartnerId)
        {
            return ConsentRefusals.AccessDenied(
                $"{client.DisplayName} belongs to {partner.Name}; it cannot act for users of another organisation.");
        }

        if (partner.Status != PartnerStatus.Active)
        {
            return ConsentRefusals.AccessDenied($"{partner.Name} is suspended; its applications cannot sign anyone in.");
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.DisplayName, u.Email }).SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return ConsentRefusals.AccessDenied("Your account no longer exists.");
        }

        var identityScopes = query.Scopes.Where(IssueAccessTokenHandler.IdentityScopes.Contains).Distinct(StringComparer.Ordinal).ToList();
        var asked = query.Scopes.Where(s => !IssueAccessTokenHandler.IdentityScopes.Contains(s)).Distinct(StringComparer.Ordinal).ToList();
        var coverage = await ScopeCoverage.FindAsync(db, await resourceCatalog.GetAsync(cancellationToken), new AccessSubject(SubjectKind.User, userId.ToString()), clientPartnerId, asked, query.Resources, now, cancellationToken);
        if (!coverage.IsSuccess)
        {
            return coverage.Error!;
        }

        var (resource, scopes) = coverage.Value;
        return new ConsentDetails(client.ClientId, client.DisplayName, partner.Id, partner.Name, userId, user.DisplayName, user.Email,
            resource.DisplayName, resource.Audience, scopes, identityScopes, [.. scopes.Select(s => s.GrantId).Distinct().Order()],
            redirectUri.GetLeftPart(UriPartial.Authority));
    }
}
