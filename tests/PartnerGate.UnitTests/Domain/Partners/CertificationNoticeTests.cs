using PartnerGate.Domain.Partners;

namespace PartnerGate.UnitTests.Domain.Partners;

/// <summary>Which posture notice is due when: each threshold once per expiry date, the lapse once, and a new date a new cycle.</summary>
public sealed class CertificationNoticeTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly int[] Thresholds = [30, 7];

    private static (Partner Partner, PartnerCertification Certification) Holding(DateTimeOffset validUntil)
    {
        var partner = Partner.Register("BoltNut Supply", ["boltnut.example"], Now).Value;
        Assert.True(partner.AddCertification("TISAX", validUntil).IsSuccess);
        return (partner, partner.Certifications.Single());
    }

    [Fact]
    public void Warnings_AreDueAtEachThreshold_OnceEach()
    {
        var (partner, tisax) = Holding(Now.AddDays(40));

        Assert.Null(partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now));
        Assert.Null(partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now.AddDays(10).AddSeconds(-1)));
        Assert.Equal(30, partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now.AddDays(10)));
        Assert.Null(partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now.AddDays(10)));
        Assert.Null(partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now.AddDays(32)));
        Assert.Equal(7, partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now.AddDays(33)));
        Assert.Null(partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now.AddDays(39)));
        Assert.Null(partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now.AddDays(41)));
        Assert.Equal(["warning:30", "warning:7"], partner.CertificationNotices.Select(n => n.Notice));
    }

    [Fact]
    public void RecordedCloseToItsExpiry_GetsOnlyTheSmallestWarningDue()
    {
        var (partner, tisax) = Holding(Now.AddDays(5));

        Assert.Equal(7, partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now));
        Assert.Null(partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now.AddDays(1)));
        Assert.Equal(["warning:7"], partner.CertificationNotices.Select(n => n.Notice));
    }

    [Fact]
    public void Lapse_IsNoticedOnce_AndOnlyOnceExpired()
    {
        var (partner, tisax) = Holding(Now.AddDays(1));

        Assert.False(partner.TakeLapseNoticeIfDue(tisax, Now));
        Assert.True(partner.TakeLapseNoticeIfDue(tisax, Now.AddDays(1)));
        Assert.False(partner.TakeLapseNoticeIfDue(tisax, Now.AddDays(2)));
    }

    [Fact]
    public void RenewalToANewDate_StartsANewCycle_TheSameDateDoesNot()
    {
        var (partner, tisax) = Holding(Now.AddDays(20));
        Assert.Equal(30, partner.TakeExpiryWarningIfDue(tisax, Thresholds, Now));

        partner.AddCertification("tisax", tisax.ValidUntil);
        Assert.Null(partner.TakeExpiryWarningIfDue(partner.Certifications.Single(), Thresholds, Now));

        partner.AddCertification("TISAX", Now.AddDays(25));
        Assert.Equal(30, partner.TakeExpiryWarningIfDue(partner.Certifications.Single(), Thresholds, Now));
        Assert.Single(partner.CertificationNotices);
    }

    [Theory]
    [InlineData("warning:30", 30)]
    [InlineData("warning:7", 7)]
    [InlineData("lapsed", null)]
    [InlineData("warning:-1", null)]
    [InlineData("warning:", null)]
    public void WarningDays_ReadsTheThresholdOfAWarningOnly(string notice, int? days) =>
        Assert.Equal(days, CertificationNotice.WarningDays(notice));
}
