using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// Tokens for PartnerGate's own admin API: one audience, two scopes, and only manufacturer staff ever hold them.
/// The scopes follow the role (<see cref="ScopesFor"/>), decided at sign-in, again when the code is redeemed and
/// again on every API call (<see cref="AdminTokenUsers"/>), so a lost role or a killed user stops a token at once.
/// </summary>
public static class AdminApiTokens
{
    /// <summary>The <c>aud</c> of every admin API token; no resource of a partner grant can ever carry it.</summary>
    public const string Audience = "partnergate-admin-api";

    /// <summary>The first-party public client (authorization code + PKCE S256) PartnerGate registers for itself at start-up.</summary>
    public const string ConsoleClientId = "partnergate-admin-console";

    /// <summary>Grants and access requests: administrators and approvers.</summary>
    public const string ReadScope = "admin.read";

    /// <summary>The audit export: administrators only.</summary>
    public const string AuditScope = "admin.audit";

    /// <summary>A hash of the user's security stamp when the token was issued: a changed stamp (kill switch, authenticator reset) ends the token.</summary>
    public const string StampClaim = "pg_stamp";

    /// <summary>Access tokens for the admin API live this long; a re-check on every call ends them sooner.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public static IReadOnlyList<string> AllScopes { get; } = [ReadScope, AuditScope];

    /// <summary>What each admin scope allows, for the OpenAPI document and the sign-in error messages.</summary>
    public static IReadOnlyDictionary<string, string> ScopeDescriptions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ReadScope] = "Read grants and access requests (administrators and approvers).",
        [AuditScope] = "Export the audit trail (administrators only).",
    };

    /// <summary>The admin scopes a member of <paramref name="roles"/> may hold; partner roles give none.</summary>
    public static IReadOnlySet<string> ScopesFor(IEnumerable<string> roles)
    {
        var set = roles.ToHashSet(StringComparer.Ordinal);
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        if (set.Contains(Roles.PartnerAdmin) || set.Contains(Roles.PartnerUser))
        {
            // Someone with a partner role is never staff, whatever else the account carries.
            return scopes;
        }

        if (set.Contains(Roles.Administrator))
        {
            scopes.Add(ReadScope);
            scopes.Add(AuditScope);
        }
        else if (set.Contains(Roles.Approver))
        {
            scopes.Add(ReadScope);
        }

        return scopes;
    }

    /// <summary>
    /// The stamp travels hashed: the token is readable by anyone who holds it, and the stamp itself is what the
    /// portal's session cookies are checked against.
    /// </summary>
    public static string StampHash(string? stamp) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(stamp ?? string.Empty)), 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A staff account as an admin API call sees it after the live re-check.</summary>
public sealed record AdminTokenUser(Guid Id, string DisplayName, string? Email, IReadOnlyList<string> Roles, string StampHash);

/// <summary>
/// The live re-check behind every admin token (invariant 5): the account exists, is not locked out, belongs to no
/// partner, still holds a role that allows every scope the token carries, and (when the token carries it) its
/// security stamp is unchanged. One read of the user and one of their roles.
/// </summary>
public static class AdminTokenUsers
{
    public static async Task<(AdminTokenUser? User, string? Refusal)> CheckAsync(
        PartnerGateDbContext db, string? subject, string? stampHash, IEnumerable<string> scopes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(subject, out var userId))
        {
            return (null, "The token names no PartnerGate user.");
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.DisplayName, u.Email, u.PartnerId, u.SecurityStamp, u.LockoutEnd })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return (null, "The user this token was issued to no longer exists.");
        }

        if (user.LockoutEnd is { } lockedUntil && lockedUntil > now)
        {
            return (null, "The user this token was issued to is locked out.");
        }

        var hash = AdminApiTokens.StampHash(user.SecurityStamp);
        if (stampHash is not null && !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stampHash), Encoding.ASCII.GetBytes(hash)))
        {
            return (null, "The user's sessions were ended (kill switch or reset second factor) after this token was issued.");
        }

        var roles = await (from link in db.UserRoles.AsNoTracking()
                           where link.UserId == userId
                           join role in db.Roles.AsNoTracking() on link.RoleId equals role.Id
                           select role.Name!).ToListAsync(cancellationToken);
        var allowed = AdminApiTokens.ScopesFor(roles);
        if (user.PartnerId is not null || allowed.Count == 0)
        {
            return (null, "Only manufacturer staff (administrators and approvers) use the admin API.");
        }

        if (scopes.FirstOrDefault(s => AdminApiTokens.AllScopes.Contains(s) && !allowed.Contains(s)) is { } lost)
        {
            return (null, $"The user's role no longer allows '{lost}'.");
        }

        return (new AdminTokenUser(userId, user.DisplayName, user.Email, roles, hash), null);
    }
}
