using Microsoft.AspNetCore.Authorization;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>Authorization policy names, used by pages (<c>[Authorize(Policy = …)]</c>) and messages (<c>[RequirePolicy]</c>).</summary>
public static class Policies
{
    public const string SignedIn = nameof(SignedIn);
    public const string Administrator = nameof(Administrator);

    /// <summary>Manufacturer staff who decide requests: approvers and administrators.</summary>
    public const string ManufacturerStaff = nameof(ManufacturerStaff);

    /// <summary>Anyone who belongs to a partner (partner user or partner admin) and carries its id.</summary>
    public const string PartnerMember = nameof(PartnerMember);
    public const string PartnerAdmin = nameof(PartnerAdmin);

    public static AuthorizationBuilder AddPartnerGatePolicies(this AuthorizationBuilder builder) => builder
        // Deny by default: every endpoint and page needs a signed-in user unless it says otherwise.
        .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
        .AddPolicy(SignedIn, p => p.RequireAuthenticatedUser())
        .AddPolicy(Administrator, p => p.RequireAuthenticatedUser().RequireRole(Roles.Administrator)
            .RequireAssertion(c => !c.User.HasClaim(c => c.Type == PartnerGateClaims.PartnerId)))
        .AddPolicy(ManufacturerStaff, p => p.RequireAuthenticatedUser().RequireRole(Roles.Administrator, Roles.Approver)
            .RequireAssertion(c => !c.User.HasClaim(c => c.Type == PartnerGateClaims.PartnerId)))
        .AddPolicy(PartnerMember, p => p.RequireAuthenticatedUser().RequireRole(Roles.PartnerAdmin, Roles.PartnerUser)
            .RequireClaim(PartnerGateClaims.PartnerId))
        .AddPolicy(PartnerAdmin, p => p.RequireAuthenticatedUser().RequireRole(Roles.PartnerAdmin)
            .RequireClaim(PartnerGateClaims.PartnerId));
}

public static class PartnerGateClaims
{
    /// <summary>The partner a user belongs to; absent for manufacturer staff.</summary>
    public const string PartnerId = "partner_id";
    public const string DisplayName = "display_name";
}
