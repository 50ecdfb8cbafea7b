using PartnerGate.Domain.Grants;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Connect;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.Web.Features.Grants;

/// <summary>
/// Everything that must follow once <see cref="Grant.Revoke"/> accepted a revocation, in the command's transaction
/// (invariants 5 and 6): the audit event, OpenIddict's authorizations and tokens of the grant revoked, the change on
/// the revocation feed, and the <see cref="GrantRevoked"/> event for live views and the grantee's mail. One place, so
/// a revocation from the grants page and one from an access review reach tokens the same way.
/// </summary>
public static class GrantRevocation
{
    /// <param name="unitOfWork">The command's unit of work; everything below commits with the grant's change.</param>
    /// <param name="grant">A grant whose <see cref="Grant.Revoke"/> just succeeded.</param>
    /// <param name="before">The grant's status before it was revoked, for the audit event.</param>
    /// <param name="auditAction">The grant's audit action, e.g. <c>grant.revoked</c>.</param>
    /// <param name="initiator">The CAEP initiating entity on the feed (<see cref="Data.SecurityEventInitiator"/>).</param>
    /// <param name="auditDetails">Details of the audit event; null writes the grant's before/after and reason.</param>
    public static void RecordRevocation(
        this IUnitOfWork unitOfWork,
        Grant grant,
        GrantStatus before,
        string auditAction,
        string initiator,
        object? auditDetails = null)
    {
        unitOfWork.Audit(auditAction, "Grant", grant.Id.ToString(), grant.PartnerId,
            auditDetails ?? new { before = before.ToString(), after = "Revoked", reason = grant.StatusReason });
        unitOfWork.RevokeTokensOf([grant.Id]);
        unitOfWork.EmitSecurityEvent(FeedEvents.GrantRevoked(grant, initiator));
        unitOfWork.PublishAfterCommit(new GrantRevoked(grant.Id, grant.PartnerId, grant.StatusReason ?? string.Empty));
    }
}
