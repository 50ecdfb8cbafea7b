using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// What a token may carry, decided the same way for every grant type that issues one (client credentials, code,
/// refresh, token exchange): invariants 1 and 2. The caller has checked the client and its partner and writes its own
/// audit event; this stages only the OpenIddict authorization the token belongs to.
/// </summary>
public static class AccessTokenIssuance
{
    public static async Task<Result<AccessTokenDecision>> DecideAsync(
        PartnerGateDbContext db, GrantAuthorizationCache authorizations, ResourceCatalog resourceCatalog, ApiClient client, Guid partnerId,
        AccessSubject subject, IReadOnlyList<string> scopes, IReadOnlyList<string> resources, string? existingAuthorizationId,
        DateTimeOffset now, CancellationToken cancellationToken, WorkloadActor? actor = null)
    {
        var identityScopes = scopes.Where(IssueAccessTokenHandler.IdentityScopes.Contains).Distinct(StringComparer.Ordinal).ToList();
        var resourceScopes = scopes.Where(s => !IssueAccessTokenHandler.IdentityScopes.Contains(s)).Distinct(StringComparer.Ordinal).ToList();
        if (subject.Kind == SubjectKind.Client && identityScopes.Count > 0)
        {
            return OAuthRefusals.InvalidScope($"'{identityScopes[0]}' is for signed-in users; a client acting as itself carries only resource scopes.");
        }

        var coverage = await ScopeCoverage.FindAsync(db, await resourceCatalog.GetAsync(cancellationToken), subject, partnerId,
            resourceScopes, resources, now, cancellationToken);
        if (!coverage.IsSuccess)
        {
            return coverage.Error!;
        }

        var (resource, backing) = coverage.Value;
        var grantsEnd = backing.Min(b => b.CoveredUntil);
        var wanted = now + resource.Policy.TokenLifetime;
        var capped = wanted < grantsEnd ? wanted : grantsEnd;

        // A JWT's exp is whole seconds: rounded down, it can never pass the grant's end (invariant 1).
        var expiresAt = new DateTimeOffset(capped.UtcTicks - capped.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var grantIds = backing.Select(b => b.GrantId).Distinct().Order().ToList();
        var authorizationId = existingAuthorizationId is { } existing
            ? await authorizations.LinkAsync(db, existing, grantIds, cancellationToken)
            : await authorizations.GetOrCreateAsync(db, client, subject, grantIds, resourceScopes, now, cancellationToken);

        return new AccessTokenDecision(client.ClientId, subject.Id, partnerId, resource.Audience, resourceScopes, identityScopes,
            grantIds, now, expiresAt, grantsEnd, authorizationId, grantsEnd < wanted, actor);
    }
}
