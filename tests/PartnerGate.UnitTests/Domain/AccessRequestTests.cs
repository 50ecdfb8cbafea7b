using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using static PartnerGate.UnitTests.Domain.DomainFixtures;

namespace PartnerGate.UnitTests.Domain;

/// <summary>Invariants 3 (who approves) and 7 (policy caps win) on the request entity itself.</summary>
public sealed class AccessRequestTests
{
    private const string Justification = "Need to confirm this week's purchase orders for the plant.";

    [Fact]
    public void Submit_DurationBeyondPolicyCap_IsRefusedWithTheCap()
    {
        var partner = BoltNut();
        var result = AccessRequest.Submit(partner, PurchaseOrders(), PartnerUser(partner), AccessSubject.ForUser(Guid.NewGuid()),
            ["orders.read"], Now, TimeSpan.FromDays(8), Justification, null, Now);

        Assert.False(result.IsSuccess);
        Assert.Equal("request.duration_beyond_cap", result.Error!.Code);
        Assert.Contains("at most 7 days", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_ScopeOfAnotherResource_IsRefused()
    {
        var partner = BoltNut();
        var result = AccessRequest.Submit(partner, PurchaseOrders(), PartnerUser(partner), AccessSubject.ForUser(Guid.NewGuid()),
            ["orders.read", "telemetry.read"], Now, TimeSpan.FromHours(1), Justification, null, Now);

        Assert.Equal("request.scope_not_of_resource", result.Error!.Code);
        Assert.Contains("telemetry.read", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_LapsedRequiredCertification_IsRefused()
    {
        var partner = BoltNut(tisaxValidUntil: Now.AddDays(-30));
        var result = AccessRequest.Submit(partner, LineTelemetry(), PartnerUser(partner), AccessSubject.ForUser(Guid.NewGuid()),
            ["telemetry.read"], Now, TimeSpan.FromHours(1), Justification, null, Now);

        Assert.Equal("request.certification_missing", result.Error!.Code);
        Assert.Contains("TISAX", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_SuspendedPartner_IsRefused()
    {
        var partner = BoltNut();
        partner.Suspend("Security incident under investigation");
        var result = AccessRequest.Submit(partner, PurchaseOrders(), PartnerUser(partner), AccessSubject.ForUser(Guid.NewGuid()),
            ["orders.read"], Now, TimeSpan.FromHours(1), Justification, null, Now);

        Assert.Equal("request.partner_suspended", result.Error!.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("too short")]
    [InlineData("                         ")]
    public void Submit_JustificationUnderTwentyCharacters_IsRefused(string justification)
    {
        var partner = BoltNut();
        var result = AccessRequest.Submit(partner, PurchaseOrders(), PartnerUser(partner), AccessSubject.ForUser(Guid.NewGuid()),
            ["orders.read"], Now, TimeSpan.FromHours(1), justification, null, Now);

        Assert.Equal("request.justification_too_short", result.Error!.Code);
    }

    [Fact]
    public void Submit_ForAnotherPartner_IsForbidden()
    {
        var boltNut = BoltNut();
        var other = PartnerGate.Domain.Partners.Partner.Register("FastFreight Logistics", ["fastfreight.example"], Now).Value;
        var result = AccessRequest.Submit(boltNut, PurchaseOrders(), PartnerUser(other), AccessSubject.ForUser(Guid.NewGuid()),
            ["orders.read"], Now, TimeSpan.FromHours(1), Justification, null, Now);

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }

    [Fact]
    public void Approve_OwnRequest_IsForbidden()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var staffRequester = new Actor(Guid.NewGuid(), "Arne", partner.Id, new HashSet<string> { Roles.PartnerUser });
        var request = Submit(partner, resource, staffRequester);
        var sameUserAsApprover = staffRequester with { PartnerId = null, Roles = new HashSet<string> { Roles.Approver } };

        var result = request.Approve(resource, partner, sameUserAsApprover, Now);

        Assert.Equal("request.own_request", result.Error!.Code);
        Assert.Equal(AccessRequestStatus.Pending, request.Status);
    }

    [Fact]
    public void Approve_ByPartnerUser_IsForbidden()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var request = Submit(partner, resource, PartnerUser(partner));
        var partnerAdminWithApproverRole = new Actor(Guid.NewGuid(), "Alice", partner.Id, new HashSet<string> { Roles.PartnerAdmin, Roles.Approver });

        var result = request.Approve(resource, partner, partnerAdminWithApproverRole, Now);

        Assert.Equal("request.partner_cannot_approve", result.Error!.Code);
        Assert.Empty(request.Decisions);
    }

    [Fact]
    public void Approve_TwoApproverStage_SameApproverTwice_DoesNotCountTwice()
    {
        var partner = BoltNut();
        var resource = LineTelemetry();
        var request = Submit(partner, resource, PartnerUser(partner), TimeSpan.FromHours(2), ["telemetry.read"]);
        var approver = Approver();

        var first = request.Approve(resource, partner, approver, Now);
        var second = request.Approve(resource, partner, approver, Now.AddMinutes(1));

        Assert.True(first.IsSuccess);
        Assert.Null(first.Value);
        Assert.Equal("request.already_decided_by_you", second.Error!.Code);
        Assert.Equal(AccessRequestStatus.Pending, request.Status);
    }

    [Fact]
    public void Approve_TwoApproverStage_TwoDistinctApprovers_CreatesGrant()
    {
        var partner = BoltNut();
        var resource = LineTelemetry();
        var request = Submit(partner, resource, PartnerUser(partner), TimeSpan.FromHours(2), ["telemetry.read"]);

        request.Approve(resource, partner, Approver("Arne"), Now);
        var second = request.Approve(resource, partner, Approver("Alma"), Now.AddMinutes(1));

        var grant = Assert.IsType<Grant>(second.Value);
        Assert.Equal(AccessRequestStatus.Approved, request.Status);
        Assert.Equal(request.NotAfter, grant.NotAfter);
        Assert.Equal(["telemetry.read"], grant.Scopes);
        Assert.Equal(2, request.Decisions.Select(d => d.ApproverId).Distinct().Count());
    }

    [Fact]
    public void Approve_WithLongerWindow_IsRefused_ShorterIsKept()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var request = Submit(partner, resource, PartnerUser(partner), TimeSpan.FromHours(4));

        var longer = request.Approve(resource, partner, Approver(), Now, shortenedNotAfter: request.NotAfter.AddHours(1));
        Assert.Equal("request.window_longer", longer.Error!.Code);

        var shortened = request.Approve(resource, partner, Approver(), Now, shortenedNotAfter: Now.AddHours(1));
        Assert.Equal(Now.AddHours(1), shortened.Value!.NotAfter);
    }

    [Fact]
    public void Deny_WithoutComment_IsRefused()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var request = Submit(partner, resource, PartnerUser(partner));

        Assert.Equal("request.deny_comment_required", request.Deny(resource, Approver(), "  ", Now).Error!.Code);
        Assert.True(request.Deny(resource, Approver(), "Not needed for this order cycle.", Now).IsSuccess);
        Assert.Equal(AccessRequestStatus.Denied, request.Status);
    }

    [Fact]
    public void AutoApprove_LowSensitivityWithinCap_GrantsAndRecordsIt_BeyondCapNeedsApprover()
    {
        var partner = BoltNut();
        var resource = DemandForecast();
        var shortRequest = Submit(partner, resource, PartnerUser(partner), TimeSpan.FromHours(8));
        var longRequest = Submit(partner, resource, PartnerUser(partner), TimeSpan.FromHours(9));

        var grant = shortRequest.AutoApprove(resource, Now);
        Assert.True(grant.Value.AutoApproved);
        Assert.True(shortRequest.AutoApproved);
        Assert.Equal("request.auto_approval_not_allowed", longRequest.AutoApprove(resource, Now).Error!.Code);
    }

    [Fact]
    public void Approve_AfterDecisionWindow_IsRefused_AndRequestExpires()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var request = Submit(partner, resource, PartnerUser(partner));
        var later = request.DecideBy.AddSeconds(1);

        Assert.Equal("request.decision_window_passed", request.Approve(resource, partner, Approver(), later).Error!.Code);
        Assert.True(request.ExpireIfUndecided(later));
        Assert.Equal(AccessRequestStatus.Expired, request.Status);
    }

    [Fact]
    public void Cancel_ByColleagueWhoIsNotAdmin_IsForbidden_ByPartnerAdminSucceeds()
    {
        var partner = BoltNut();
        var request = Submit(partner, PurchaseOrders(), PartnerUser(partner));

        Assert.Equal(ErrorKind.Forbidden, request.Cancel(PartnerUser(partner, "Colleague"), Now).Error!.Kind);
        Assert.True(request.Cancel(PartnerAdmin(partner), Now).IsSuccess);
        Assert.Equal(AccessRequestStatus.Cancelled, request.Status);
    }
}
