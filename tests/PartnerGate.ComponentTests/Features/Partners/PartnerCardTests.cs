using Bunit;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Features.Partners;

namespace PartnerGate.ComponentTests.Features.Partners;

public sealed class PartnerCardTests : MudComponentTest
{
    [Fact]
    public void Card_ShowsLapsedAndValidCertificationsPlainly()
    {
        var partner = new PartnerSummary(Guid.NewGuid(), "SensorTech Services", PartnerStatus.Active, ["sensortech.example"],
        [
            new CertificationSummary("ISO 27001", new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero), IsValid: true),
            new CertificationSummary("TISAX", new DateTimeOffset(2026, 10, 27, 0, 0, 0, TimeSpan.Zero), IsValid: false),
        ], Users: 1);

        var card = Render<PartnerCard>(p => p.Add(c => c.Partner, partner));

        Assert.Contains("ISO 27001 — valid until 1 Mar 2027", card.Markup, StringComparison.Ordinal);
        Assert.Contains("TISAX — lapsed on 27 Oct 2026", card.Markup, StringComparison.Ordinal);
        Assert.Contains("1 user · sensortech.example", card.Markup, StringComparison.Ordinal);
        Assert.Equal("SensorTech Services", card.Find("[aria-label]").GetAttribute("aria-label"));
    }

    [Fact]
    public void Card_SuspendedPartner_ShowsStatus()
    {
        var partner = new PartnerSummary(Guid.NewGuid(), "BoltNut Supply", PartnerStatus.Suspended, ["boltnut.example"], [], Users: 2);

        var card = Render<PartnerCard>(p => p.Add(c => c.Partner, partner));

        Assert.Contains("Suspended", card.Find(".mud-chip").TextContent, StringComparison.Ordinal);
        Assert.Contains("None recorded.", card.Markup, StringComparison.Ordinal);
    }
}
