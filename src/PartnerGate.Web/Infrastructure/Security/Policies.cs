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

    /// <summary>Who may disable or enable an API client: a partner admin (their own) or an administrator (any).</summary>
    public const string ClientManager = nameof(ClientManager);

    /// <summary>PartnerGate's own background work (sweeps); never held by a person.</summary>
    public const string System = nameof(System);

    /// <summary>An OAuth client OpenIddict has authenticated at the token endpoint; never a cookie.</summary>
    public const string ApiClient = nameof(ApiClient);

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
            .RequireClaim(PartnerGateClaims.PartnerId))
        .AddPolicy(ClientManager, p => p.RequireAuthenticatedUser().RequireAssertion(c =>
            (c.User.IsInRole(Roles.PartnerAdmin) && c.User.HasClaim(c => c.Type == PartnerGateClaims.PartnerId)) ||
            (c.User.IsInRole(Roles.Administrator) && !c.User.HasClaim(c => c.Type == PartnerGateClaims.PartnerId))))
        .AddPolicy(System, p => p.RequireAuthenticatedUser().RequireClaim(PartnerGateClaims.System, "true")
            .RequireAssertion(c => c.User.Identity?.AuthenticationType == SystemPrincipal.AuthenticationType))
        .AddPolicy(ApiClient, p => p.RequireAuthenticatedUser().RequireClaim(PartnerGateClaims.ClientId)
            .RequireAssertion(c => c.User.Identity?.AuthenticationType == ClientPrincipal.AuthenticationType));
}

public static class PartnerGateClaims
{
    /// <summary>The partner a user belongs to; absent for manufacturer staff.</summary>
    public const string PartnerId = "partner_id";
    public const string DisplayName = "display_name";

    /// <summary>Marks the in-process principal of background work; no cookie or token can carry it.</summary>
    public const string System = "partnergate_system";

    /// <summary>The authenticated OAuth client on the in-process principal of a token request.</summary>
    public const string ClientId = "partnergate_client_id";
}

/// <summary>The principal background services act as, so their commands pass the same pipeline and are audited as "system".</summary>
public static class SystemPrincipal
{
    public const string AuthenticationType = "PartnerGate.System";

    public static System.Security.Claims.ClaimsPrincipal Create() => new(new System.Security.Claims.ClaimsIdentity(
        [new System.Security.Claims.Claim(PartnerGateClaims.System, "true"), new System.Security.Claims.Claim(PartnerGateClaims.DisplayName, "PartnerGate")],
        AuthenticationType));
}

/// <summary>
/// The principal a token request's commands run as, once OpenIddict has authenticated the client: built in
/// process only, so no cookie or token can claim it; audited as the client.
/// </summary>
public static class ClientPrincipal
{
    public const string AuthenticationType = "PartnerGate.Client";

    public static System.Security.Claims.ClaimsPrincipal Create(string clientId) => new(new System.Security.Claims.ClaimsIdentity(
        [new System.Security.Claims.Claim(PartnerGateClaims.ClientId, clientId), new System.Security.Claims.Claim(PartnerGateClaims.DisplayName, clientId)],
        AuthenticationType));
}
