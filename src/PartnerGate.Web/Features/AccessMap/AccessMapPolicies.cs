using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessMap;

/// <summary>
/// Who may open the access map (invariant 4): manufacturer staff (all partners) and a partner admin (their own partner
/// only, enforced in the handlers). Partner users and everyone else: no.
/// </summary>
public static class AccessMapPolicies
{
    public const string Viewer = "AccessMapViewer";

    /// <summary>Registers the map's policy; called once from Program.</summary>
    public static IServiceCollection AddAccessMap(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder().AddPolicy(Viewer, p => p.RequireAuthenticatedUser().RequireAssertion(c =>
            IsStaff(c.User) || (c.User.IsInRole(Roles.PartnerAdmin) && c.User.HasClaim(claim => claim.Type == PartnerGateClaims.PartnerId))));
        return services;
    }

    // The same test as Policies.ManufacturerStaff: staff roles and no partner claim (a partner's user never counts as staff).
    private static bool IsStaff(System.Security.Claims.ClaimsPrincipal user) =>
        (user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Approver)) && !user.HasClaim(claim => claim.Type == PartnerGateClaims.PartnerId);

    /// <summary>The partner the user is confined to, or null for manufacturer staff (who see every partner).</summary>
    public static Guid? ConfinedTo(ICurrentUser user) => IsStaff(user.Principal) ? null : user.PartnerId ?? Guid.Empty;
}
