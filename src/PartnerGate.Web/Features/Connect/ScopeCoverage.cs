using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// Invariant 2, in one place for the token endpoint (<see cref="IssueAccessTokenHandler"/>) and the consent step of
/// the code flow: which one resource the asked scopes name, and which grant in effect backs each of them.
/// </summary>
public static class ScopeCoverage
{
    /// <summary>
    /// The one resource whose scopes are all asked for and covered by the subject's grants in effect now —
    /// or <c>invalid_scope</c>: never a smaller set than asked (invariant 2).
    /// </summary>
    public static async Task<Result<(Domain.Resources.Resource Resource, IReadOnlyList<ConsentScope> Scopes)>> FindAsync(
        PartnerGateDbContext db, IReadOnlyList<Domain.Resources.Resource> all, AccessSubject subject, Guid partnerId,
        IReadOnlyList<string> asked, IReadOnlyList<string> indicators, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (asked.Count == 0)
        {
            return OAuthRefusals.InvalidScope("Ask for at least one scope of one resource (for example scope=orders.read).");
        }

        var resources = all.Where(r => asked.All(s => r.Scopes.Any(rs => rs.Name == s))).ToList();
        if (indicators.Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } named)
        {
            if (named.Count > 1)
            {
                return OAuthRefusals.InvalidTarget("A token is for one resource; ask for one resource indicator.");
            }

            var target = all.FirstOrDefault(r => r.Audience == named[0]);
            if (target is null)
            {
                return OAuthRefusals.InvalidTarget($"'{named[0]}' is not a resource PartnerGate protects.");
            }

            if (!resources.Contains(target))
            {
                return OAuthRefusals.InvalidScope($"Not every requested scope belongs to {target.Audience}.");
            }

            resources = [target];
        }

        if (resources.Count == 0)
        {
            var unknown = asked.FirstOrDefault(s => !all.Any(r => r.Scopes.Any(rs => rs.Name == s)));
            return OAuthRefusals.InvalidScope(unknown is not null
                ? $"'{unknown}' is not a scope of any resource."
                : "The requested scopes belong to different resources; a token is for one resource. Ask for one token per resource.");
        }

        var resourceIds = resources.Select(r => r.Id).ToList();
        var grants = await db.Grants.AsNoTracking()
            .Where(g => g.Subject.Kind == subject.Kind && g.Subject.Id == subject.Id && g.PartnerId == partnerId
                && resourceIds.Contains(g.ResourceId)
                && (g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled)
                && g.NotBefore <= now && g.NotAfter > now)
            .ToListAsync(cancellationToken);

        string? missing = null;
        foreach (var resource in resources)
        {
            // The longest-lasting grant backs each scope, as at the token endpoint.
            var backing = asked.Select(scope => (Scope: scope, Grant: grants.Where(g => g.ResourceId == resource.Id && g.Scopes.Contains(scope))
                .MaxBy(g => g.NotAfter))).ToList();
            if (backing.FirstOrDefault(b => b.Grant is null) is { Scope: { } uncovered })
            {
                missing ??= $"No active grant of {Describe(subject)} covers '{uncovered}' on {resource.Audience}. Request access in the PartnerGate portal first.";
                continue;
            }

            return (resource, backing.Select(b => new ConsentScope(b.Scope, resource.Scopes.First(rs => rs.Name == b.Scope).Description,
                b.Grant!.NotAfter, b.Grant.Id)).ToList());
        }

        return OAuthRefusals.InvalidScope(missing!);
    }

    private static string Describe(AccessSubject subject) => subject.Kind == SubjectKind.Client ? $"client '{subject.Id}'" : "this user";
}
