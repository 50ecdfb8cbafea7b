using PartnerGate.Domain.Grants;
using static PartnerGate.UnitTests.Domain.DomainFixtures;

namespace PartnerGate.UnitTests.Domain;

/// <summary>Invariant 1 at its source: nothing derived from a grant outlives it or exists before it starts.</summary>
public sealed class GrantTests
{
    private static Grant ApprovedGrant(TimeSpan duration)
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var request = Submit(partner, resource, PartnerUser(partner), duration);
        return request.Approve(resource, partner, Approver(), Now).Value!;
    }

    [Fact]
    public void CapLifetime_NearGrantEnd_NeverPassesNotAfter()
    {
        var grant = ApprovedGrant(TimeSpan.FromMinutes(3));

        var expiry = grant.CapLifetime(Now, TimeSpan.FromMinutes(5));

        Assert.Equal(grant.NotAfter, expiry);
    }

    [Fact]
    public void CapLifetime_FarFromGrantEnd_UsesLifetime()
    {
        var grant = ApprovedGrant(TimeSpan.FromHours(4));

        Assert.Equal(Now.AddMinutes(5), grant.CapLifetime(Now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void CapLifetime_AfterRevocationOrExpiry_Throws()
    {
        var revoked = ApprovedGrant(TimeSpan.FromHours(4));
        revoked.Revoke(Approver(), "Supplier contract ended", Now);
        var expired = ApprovedGrant(TimeSpan.FromHours(1));

        Assert.Throws<InvalidOperationException>(() => revoked.CapLifetime(Now, TimeSpan.FromMinutes(5)));
        Assert.Throws<InvalidOperationException>(() => expired.CapLifetime(Now.AddHours(1), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void FutureGrant_IsScheduled_NotEffectiveBeforeNotBefore_ThenActivates()
    {
        var partner = BoltNut();
        var resource = PurchaseOrders();
        var request = PartnerGate.Domain.AccessRequests.AccessRequest.Submit(partner, resource, PartnerUser(partner),
            PartnerGate.Domain.AccessRequests.AccessSubject.ForClient("boltnut-erp"), ["orders.read"], Now.AddDays(1), TimeSpan.FromHours(2),
            "Nightly purchase-order sync for the ERP integration.", null, Now).Value;
        var grant = request.Approve(resource, partner, Approver(), Now).Value!;

        Assert.Equal(GrantStatus.Scheduled, grant.Status);
        Assert.False(grant.IsEffectiveAt(Now));
        Assert.False(grant.ActivateIfDue(Now.AddHours(23)));
        Assert.True(grant.ActivateIfDue(Now.AddDays(1)));
        Assert.True(grant.IsEffectiveAt(Now.AddDays(1)));
    }

    [Fact]
    public void ExpireIfDue_AtNotAfter_Expires()
    {
        var grant = ApprovedGrant(TimeSpan.FromHours(1));

        Assert.False(grant.ExpireIfDue(Now.AddMinutes(59)));
        Assert.True(grant.ExpireIfDue(Now.AddHours(1)));
        Assert.Equal(GrantStatus.Expired, grant.Status);
        Assert.False(grant.IsEffectiveAt(Now.AddMinutes(30)));
    }

    [Fact]
    public void Revoke_ByStaffWithoutReason_IsRefused_ByOtherPartner_IsForbidden()
    {
        var grant = ApprovedGrant(TimeSpan.FromHours(4));
        var otherPartner = PartnerGate.Domain.Partners.Partner.Register("FastFreight Logistics", ["fastfreight.example"], Now).Value;

        Assert.Equal("grant.revoke_reason_required", grant.Revoke(Approver(), " ", Now).Error!.Code);
        Assert.Equal("grant.revoke_forbidden", grant.Revoke(PartnerAdmin(otherPartner), "not ours", Now).Error!.Code);
        Assert.Equal(GrantStatus.Active, grant.Status);
    }

    [Fact]
    public void SuspendedGrant_IsNotEffective_ResumesOnlyWithinWindow()
    {
        var grant = ApprovedGrant(TimeSpan.FromHours(2));

        grant.Suspend("TISAX label lapsed");
        Assert.False(grant.IsEffectiveAt(Now.AddMinutes(1)));
        Assert.True(grant.Resume(Now.AddHours(1)).IsSuccess);
        Assert.True(grant.IsEffectiveAt(Now.AddHours(1)));

        grant.Suspend("TISAX label lapsed again");
        Assert.Equal("grant.window_passed", grant.Resume(Now.AddHours(3)).Error!.Code);
        Assert.Equal(GrantStatus.Expired, grant.Status);
    }
}
