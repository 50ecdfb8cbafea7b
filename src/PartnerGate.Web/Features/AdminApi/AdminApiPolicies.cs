using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>
/// Authorization policies of the admin API. Each authenticates the bearer scheme alone — a portal cookie never
/// authorises an API call (no CSRF through the browser) — and requires an admin scope plus a staff role that the
/// live re-check (<see cref="AdminTokenUserCheck"/>) put on the principal from the database.
/// </summary>
public static class AdminApiPolicies
{
    /// <summary>Grants and access requests: <c>admin.read</c>, administrators and approvers.</summary>
    public const string Read = "AdminApi.Read";

    /// <summary>The audit export (<c>GET /api/admin/audit-events/export</c>): <c>admin.audit</c>, administrators only.</summary>
    public const string Audit = "AdminApi.Audit";

    /// <summary>The bearer scheme the policies authenticate: OpenIddict validation against this server.</summary>
    public const string Scheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;

    /// <summary>The scope a policy needs, for the <c>insufficient_scope</c> challenge.</summary>
    public static string? ScopeOf(string? policy) => policy switch
    {
        Read => AdminApiTokens.ReadScope,
        Audit => AdminApiTokens.AuditScope,
        _ => null,
    };

    public static AuthorizationBuilder AddAdminApiPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Read, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
            .RequireRole(Roles.Administrator, Roles.Approver)
            .RequireAssertion(c => c.User.HasScope(AdminApiTokens.ReadScope)))
        .AddPolicy(Audit, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
            .RequireRole(Roles.Administrator)
            .RequireAssertion(c => c.User.HasScope(AdminApiTokens.AuditScope)));
}
