using Microsoft.AspNetCore.Authorization;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Audit;

/// <summary>
/// Who reads the audit trail (invariant 4): administrators all of it, partner admins their own partner's events
/// only. Approvers decide requests but are not auditors, and partner users see none of it.
/// </summary>
public static class AuditAccess
{
    /// <summary>Administrator (no partner) or partner admin (with their partner id): the two kinds of auditor.</summary>
    public const string ReaderPolicy = "AuditReader";

    public static AuthorizationBuilder AddAuditReaderPolicy(this AuthorizationBuilder builder) =>
        builder.AddPolicy(ReaderPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c =>
            (c.User.IsInRole(Roles.Administrator) && !c.User.HasClaim(claim => claim.Type == PartnerGateClaims.PartnerId)) ||
            (c.User.IsInRole(Roles.PartnerAdmin) && c.User.HasClaim(claim => claim.Type == PartnerGateClaims.PartnerId))));

    /// <summary>
    /// The partner whose events the caller may read: null means every event (an administrator). Anyone carrying a
    /// partner id is held to it, whatever else they claim, so a scope can only ever narrow.
    /// </summary>
    public static Guid? PartnerScope(ICurrentUser user) =>
        user.Principal.HasClaim(c => c.Type == PartnerGateClaims.PartnerId)
            ? user.PartnerId ?? Guid.Empty
            : null;
}
