using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using static PartnerGate.UnitTests.Domain.DomainFixtures;

namespace PartnerGate.UnitTests.Domain;

/// <summary>Invariant 8 at decision time, the posture marker on suspended grants, and administrators closing requests for a kill switch.</summary>
public sealed class PostureAndKillSwitchTests
{
    private static Actor Administrator() => new(Guid.NewGuid(), "Ada", null, new HashSet<string> { Roles.Administrator });

    [Fact]
    public void Approve_AfterRequiredCertificationLapsed_IsRefused_AndRequestStaysPending()
    {
        var partner = BoltNut(tisaxValidUntil: Now.AddHours(1));
        var resource = LineTelemetry();
        var request = Submit(partner, resource, PartnerUser(partner), TimeSpan.FromHours(2), ["telemetry.read"]);

        var result = request.Approve(resource, partner, Approver(), Now.AddHours(2));

        Assert.Equal("request.certification_missing", result.Error!.Code);
        Assert.Contains("TISAX", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(AccessRequestStatus.Pending, request.Status);
        Assert.Empty(request.Decisions);
    }

    [Fact]
    public void Approve_AfterCertificationRenewed_Succeeds()
    {
        var partner = BoltNut(tisaxValidUntil: Now.AddHours(1));
        var resource = LineTelemetry();
        var request = Submit(partner, resource, PartnerUser(partner), TimeSpan.FromHours(2), ["telemetry.read"]);
        partner.AddCertification("tisax", Now.AddYears(1));

        Assert.True(request.Approve(resource, partner, Approver(), Now.AddHours(2)).IsSuccess);
    }

    [Fact]
    public void Approve_OfSuspendedPartner_IsRefused()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var request = Submit(partner, resource, PartnerUser(partner));
        partner.Suspend("Security incident at the partner.");

        Assert.Equal("request.partner_suspended", request.Approve(resource, partner, Approver(), Now).Error!.Code);
        partner.Reinstate();
        Assert.True(request.Approve(resource, partner, Approver(), Now).IsSuccess);
    }

    [Fact]
    public void Approve_WithAnotherPartner_IsAProgrammingError()
    {
        var partner = BoltNut();
        var other = BoltNut();
        var resource = PurchaseOrders();
        var request = Submit(partner, resource, PartnerUser(partner));

        Assert.Throws<ArgumentException>(() => request.Approve(resource, other, Approver(), Now));
    }

    [Fact]
    public void SuspendForPosture_IsMarked_OtherSuspensionsAreNot()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var postured = Submit(partner, resource, PartnerUser(partner)).Approve(resource, partner, Approver(), Now).Value!;
        var other = Submit(partner, resource, PartnerUser(partner)).Approve(resource, partner, Approver(), Now).Value!;

        Assert.True(postured.SuspendForPosture("TISAX lapsed on 2026-11-30").IsSuccess);
        Assert.True(other.Suspend("Held for an investigation").IsSuccess);

        Assert.True(postured.IsSuspendedByPosture);
        Assert.StartsWith(Grant.PostureReasonPrefix, postured.StatusReason, StringComparison.Ordinal);
        Assert.False(other.IsSuspendedByPosture);
        Assert.Equal("grant.not_suspendable", postured.SuspendForPosture("again").Error!.Code);
        Assert.True(postured.Resume(Now.AddMinutes(1)).IsSuccess);
        Assert.False(postured.IsSuspendedByPosture);
    }

    [Fact]
    public void DenyByAdministrator_ClosesAtAnyStage_WithTheReasonRecorded()
    {
        var partner = BoltNut();
        var resource = LineTelemetry();
        var request = Submit(partner, resource, PartnerUser(partner), TimeSpan.FromHours(2), ["telemetry.read"]);
        var administrator = Administrator();

        Assert.True(request.DenyByAdministrator(resource, administrator, "  Kill switch: partner compromised.  ", Now).IsSuccess);

        Assert.Equal(AccessRequestStatus.Denied, request.Status);
        var decision = Assert.Single(request.Decisions);
        Assert.Equal("Kill switch: partner compromised.", decision.Comment);
        Assert.Equal(administrator.UserId, decision.ApproverId);
        Assert.Equal("request.already_decided", request.DenyByAdministrator(resource, administrator, "again", Now).Error!.Code);
    }

    [Fact]
    public void DenyByAdministrator_ByApproverOrPartnerAdmin_IsForbidden_WithoutReason_IsRefused()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var request = Submit(partner, resource, PartnerUser(partner));
        var partnerAdminClaimingAdministrator = new Actor(Guid.NewGuid(), "Alice", partner.Id, new HashSet<string> { Roles.Administrator });

        Assert.Equal("request.administrator_only", request.DenyByAdministrator(resource, Approver(), "reason", Now).Error!.Code);
        Assert.Equal("request.administrator_only", request.DenyByAdministrator(resource, partnerAdminClaimingAdministrator, "reason", Now).Error!.Code);
        Assert.Equal("request.deny_comment_required", request.DenyByAdministrator(resource, Administrator(), " ", Now).Error!.Code);
        Assert.Equal(AccessRequestStatus.Pending, request.Status);
    }
}
