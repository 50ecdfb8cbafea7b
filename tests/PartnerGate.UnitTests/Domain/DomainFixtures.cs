using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;

namespace PartnerGate.UnitTests.Domain;

/// <summary>Small builders for the demo's shapes: a partner, resources with their policies, actors of each role.</summary>
internal static class DomainFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    public static Partner BoltNut(DateTimeOffset? tisaxValidUntil = null)
    {
        var partner = Partner.Register("BoltNut Supply", ["boltnut.example"], Now).Value;
        partner.AddCertification("TISAX", tisaxValidUntil ?? Now.AddDays(365));
        return partner;
    }

    public static Resource PurchaseOrders() => Resource.Define("purchase-orders", "Purchase orders", "", "https://supply.acme.example/purchase-orders",
        Sensitivity.Medium, [new("orders.read", ""), new("orders.acknowledge", "")],
        AccessPolicy.Create(TimeSpan.FromDays(7), [new ApprovalStage(1, Roles.Approver, 1)])).Value;

    public static Resource LineTelemetry() => Resource.Define("line-telemetry", "Line telemetry", "", "https://supply.acme.example/line-telemetry",
        Sensitivity.High, [new("telemetry.read", "")],
        AccessPolicy.Create(TimeSpan.FromHours(8), [new ApprovalStage(1, Roles.Approver, 2)], requireMfa: true, requiredCertifications: ["TISAX"])).Value;

    public static Resource DemandForecast() => Resource.Define("demand-forecast", "Demand forecast", "", "https://supply.acme.example/demand-forecast",
        Sensitivity.Low, [new("forecast.read", "")],
        AccessPolicy.Create(TimeSpan.FromDays(30), [new ApprovalStage(1, Roles.Approver, 1)], autoApproveUpTo: TimeSpan.FromHours(8))).Value;

    public static Actor PartnerUser(Partner partner, string name = "Bob") => new(Guid.NewGuid(), name, partner.Id, new HashSet<string> { Roles.PartnerUser });

    public static Actor PartnerAdmin(Partner partner) => new(Guid.NewGuid(), "Alice", partner.Id, new HashSet<string> { Roles.PartnerAdmin });

    public static Actor Approver(string name = "Arne") => new(Guid.NewGuid(), name, null, new HashSet<string> { Roles.Approver });

    public static AccessRequest Submit(Partner partner, Resource resource, Actor requester, TimeSpan? duration = null, string[]? scopes = null) =>
        AccessRequest.Submit(partner, resource, requester, AccessSubject.ForUser(requester.UserId),
            scopes ?? [resource.Scopes[0].Name], Now, duration ?? TimeSpan.FromHours(4),
            "Need to confirm this week's purchase orders for the plant.", "INC-1", Now).Value;
}
