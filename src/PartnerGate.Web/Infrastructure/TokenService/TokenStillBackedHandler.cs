using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Server;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// Invariant 5 at PartnerGate itself: every token presented back to the server — at introspection, when
/// a refresh token or authorization code is redeemed, at userinfo — is checked against the live state of
/// what it was issued on. A revoked, expired or suspended grant, a disabled client or a suspended partner
/// makes it invalid at once (introspection answers <c>active: false</c>), whatever the token's own
/// <c>exp</c> says.
/// </summary>
public sealed class TokenStillBackedHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, TimeProvider clock)
    : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ValidateTokenContext>()
            .UseScopedHandler<TokenStillBackedHandler>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateExpirationDate.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenContext context)
    {
        if (context.IsRejected || context.Principal is not { } principal)
        {
            return;
        }

        var refusal = await FindRefusalAsync(principal, context.CancellationToken);
        if (refusal is not null)
        {
            context.Reject(error: Errors.InvalidToken, description: refusal);
        }
    }

    /// <summary>Why the token may no longer be used, or null when everything behind it still stands.</summary>
    public async Task<string?> FindRefusalAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (OpenIddict.Abstractions.OpenIddictExtensions.HasAudience(principal, AdminApiTokens.Audience)
            || OpenIddict.Abstractions.OpenIddictExtensions.GetPresenters(principal).Contains(AdminApiTokens.ConsoleClientId))
        {
            // Admin API codes and tokens rest on a staff account, not on grants: re-check the person.
            await using var staffDb = await contextFactory.CreateDbContextAsync(cancellationToken);
            var (_, staffRefusal) = await AdminTokenUsers.CheckAsync(staffDb, principal.FindFirst(Claims.Subject)?.Value,
                principal.FindFirst(AdminApiTokens.StampClaim)?.Value, OpenIddict.Abstractions.OpenIddictExtensions.GetScopes(principal), clock.GetUtcNow(),
                cancellationToken);
            return staffRefusal;
        }

        var grantIds = principal.FindAll(TokenClaims.GrantId)
            .Select(c => Guid.TryParse(c.Value, out var id) ? id : Guid.Empty)
            .ToList();
        // OpenIddict maps the JWT client_id claim to its presenters list when it reads a token.
        var clientId = OpenIddict.Abstractions.OpenIddictExtensions.GetPresenters(principal).FirstOrDefault() ?? principal.FindFirst(TokenClaims.ClientId)?.Value;
        var partnerClaim = principal.FindFirst(TokenClaims.PartnerId)?.Value;
        if (grantIds.Count == 0 && clientId is null && partnerClaim is null)
        {
            // Identity-only tokens (an id_token hint at end-session) carry no access to re-check.
            return null;
        }

        if (grantIds.Contains(Guid.Empty))
        {
            return "The token names a grant PartnerGate does not know.";
        }

        var now = clock.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (grantIds.Count > 0)
        {
            var grants = await db.Grants.AsNoTracking()
                .Where(g => grantIds.Contains(g.Id))
                .Select(g => new { g.Id, g.Status, g.NotBefore, g.NotAfter })
                .ToListAsync(cancellationToken);
            if (grants.Count != grantIds.Distinct().Count())
            {
                return "A grant behind this token no longer exists.";
            }

            var ended = grants.FirstOrDefault(g => !GrantCoverage.IsInEffect(g.Status, g.NotBefore, g.NotAfter, now));
            if (ended is not null)
            {
                return $"The grant behind this token is {ended.Status.ToString().ToLowerInvariant()}.";
            }
        }

        if (clientId is not null)
        {
            var status = await db.ApiClients.AsNoTracking().Where(c => c.ClientId == clientId).Select(c => (ApiClientStatus?)c.Status)
                .SingleOrDefaultAsync(cancellationToken);
            if (status != ApiClientStatus.Active)
            {
                return "The client this token was issued to is disabled or deleted.";
            }
        }

        if (Guid.TryParse(partnerClaim, out var partnerId))
        {
            var status = await db.Partners.AsNoTracking().Where(p => p.Id == partnerId).Select(p => (PartnerStatus?)p.Status)
                .SingleOrDefaultAsync(cancellationToken);
            if (status != PartnerStatus.Active)
            {
                return "The partner this token was issued for is suspended.";
            }
        }

        return null;
    }
}

/// <summary>Claim names PartnerGate puts in its tokens beside the registered ones.</summary>
public static class TokenClaims
{
    public const string PartnerId = "partner_id";
    public const string GrantId = "grant_id";
    public const string ClientId = "client_id";

    /// <summary>RFC 8693 §4.1: who acts (a workload of the partner's IdP, after token exchange), as <c>{"sub", "iss"}</c>.</summary>
    public const string Actor = "act";
}

/// <summary>Whether a grant allows access now: active (or scheduled and its start has come) and inside its window.</summary>
public static class GrantCoverage
{
    public static bool IsInEffect(GrantStatus status, DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset now) =>
        status is GrantStatus.Active or GrantStatus.Scheduled && notBefore <= now && now < notAfter;
}
