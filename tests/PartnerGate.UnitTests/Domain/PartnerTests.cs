using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;
using static PartnerGate.UnitTests.Domain.DomainFixtures;

namespace PartnerGate.UnitTests.Domain;

public sealed class PartnerTests
{
    [Theory]
    [InlineData("bob@boltnut.example", true)]
    [InlineData("Bob@BoltNut.Example", true)]
    [InlineData("bob@evil-boltnut.example", false)]
    [InlineData("bob@sub.boltnut.example", false)]
    [InlineData("boltnut.example@evil.example", false)]
    [InlineData("not-an-email", false)]
    public void OwnsEmail_MatchesVerifiedDomainExactly(string email, bool owned) =>
        Assert.Equal(owned, BoltNut().OwnsEmail(email));

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData("bad domain.example")]
    public void AddDomain_Invalid_IsRefused(string domain) =>
        Assert.False(BoltNut().AddDomain(domain).IsSuccess);

    [Fact]
    public void Certification_CountsOnlyUntilItsExpiry()
    {
        var partner = BoltNut(tisaxValidUntil: Now.AddDays(1));

        Assert.True(partner.HasValidCertification("tisax", Now));
        Assert.False(partner.HasValidCertification("TISAX", Now.AddDays(1)));
        Assert.Equal(["TISAX"], partner.MissingCertifications(["TISAX"], Now.AddDays(2)));
    }

    [Fact]
    public void SuspendThenReinstate_TracksReason()
    {
        var partner = BoltNut();

        Assert.False(partner.Suspend("").IsSuccess);
        Assert.True(partner.Suspend("Incident 4711").IsSuccess);
        Assert.Equal(PartnerStatus.Suspended, partner.Status);
        Assert.False(partner.Suspend("again").IsSuccess);
        Assert.True(partner.Reinstate().IsSuccess);
        Assert.Null(partner.SuspensionReason);
    }

    [Fact]
    public void Policy_AutoApprovalOnMediumResource_IsRefused()
    {
        var result = Resource.Define("purchase-orders", "Purchase orders", "", "https://supply.acme.example/purchase-orders", Sensitivity.Medium,
            [new("orders.read", "")], AccessPolicy.Create(TimeSpan.FromDays(7), [], autoApproveUpTo: TimeSpan.FromHours(1)));

        Assert.Equal("policy.auto_approval_not_low", result.Error!.Code);
    }

    [Fact]
    public void Policy_StageApprovedByPartnerRole_IsRefused()
    {
        var result = Resource.Define("inventory", "Inventory", "", "https://supply.acme.example/inventory", Sensitivity.Low,
            [new("inventory.read", "")], AccessPolicy.Create(TimeSpan.FromDays(7), [new ApprovalStage(1, PartnerGate.Domain.Common.Roles.PartnerAdmin, 1)]));

        Assert.Equal("policy.stage_invalid", result.Error!.Code);
    }

    [Fact]
    public void Resource_HttpAudience_IsRefused()
    {
        var result = Resource.Define("inventory", "Inventory", "", "http://supply.acme.example/inventory", Sensitivity.Low,
            [new("inventory.read", "")], AccessPolicy.Create(TimeSpan.FromDays(7), [new ApprovalStage(1, PartnerGate.Domain.Common.Roles.Approver, 1)]));

        Assert.Equal("resource.audience_invalid", result.Error!.Code);
    }
}
