using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>The revocation feed's entries for the changes commands make; pass them to <c>IUnitOfWork.EmitSecurityEvent</c>.</summary>
public static class FeedEvents
{
    public static SecurityEventEntry GrantRevoked(Grant grant, string initiatingEntity) =>
        new(SecurityEventKind.GrantRevoked, grant.Id.ToString(), grant.PartnerId, grant.NotAfter, grant.StatusReason, initiatingEntity);

    public static SecurityEventEntry GrantSuspended(Grant grant) =>
        new(SecurityEventKind.GrantSuspended, grant.Id.ToString(), grant.PartnerId, grant.NotAfter, grant.StatusReason, SecurityEventInitiator.Policy);

    public static SecurityEventEntry GrantResumed(Grant grant) =>
        new(SecurityEventKind.GrantResumed, grant.Id.ToString(), grant.PartnerId, grant.NotAfter, null, SecurityEventInitiator.Policy);

    public static SecurityEventEntry ClientDisabled(ApiClient client, string? reason, string initiatingEntity) =>
        new(SecurityEventKind.ClientDisabled, client.ClientId, client.PartnerId, null, reason, initiatingEntity);

    public static SecurityEventEntry ClientEnabled(ApiClient client, string initiatingEntity) =>
        new(SecurityEventKind.ClientEnabled, client.ClientId, client.PartnerId, null, null, initiatingEntity);

    public static SecurityEventEntry PartnerSuspended(Partner partner) =>
        new(SecurityEventKind.PartnerSuspended, partner.Id.ToString(), partner.Id, null, partner.SuspensionReason, SecurityEventInitiator.Admin);

    public static SecurityEventEntry PartnerReinstated(Partner partner) =>
        new(SecurityEventKind.PartnerReinstated, partner.Id.ToString(), partner.Id, null, null, SecurityEventInitiator.Admin);
}
