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

    [Fact]
    public void Card_WithoutProvider_SaysLocalPasswords()
    {
        var partner = new PartnerSummary(Guid.NewGuid(), "FastFreight Logistics", PartnerStatus.Active, ["fastfreight.example"], [], Users: 1);

        var card = Render<PartnerCard>(p => p.Add(c => c.Partner, partner));

        Assert.Equal("Local passwords", card.Find("[data-testid=sign-in-method]").TextContent.Trim());
        Assert.Empty(card.FindAll(".mud-card-actions"));
    }

    [Fact]
    public void Card_WithEnabledProvider_ShowsItsNameStatusAndIssuerWhenGiven()
    {
        var partner = new PartnerSummary(Guid.NewGuid(), "BoltNut Supply", PartnerStatus.Active, ["boltnut.example"], [], Users: 2,
            new PartnerSignIn(Guid.NewGuid(), "BoltNut Entra ID", IdentityProviderStatus.Enabled, "https://login.boltnut.example/v2.0", null));

        var card = Render<PartnerCard>(p => p.Add(c => c.Partner, partner));

        Assert.Equal("BoltNut Entra ID (enabled)", card.Find("[data-testid=sign-in-method]").TextContent.Trim());
        Assert.Contains("https://login.boltnut.example/v2.0", card.Find("[data-testid=sign-in-issuer]").TextContent, StringComparison.Ordinal);
        Assert.Empty(card.FindAll("[data-testid=sign-in-disabled]"));
    }

    [Fact]
    public void Card_WithDisabledProvider_SaysNobodySignsIn_WithTheReasonOnlyWhenGiven_AndNoIssuerForApprovers()
    {
        var partner = new PartnerSummary(Guid.NewGuid(), "BoltNut Supply", PartnerStatus.Active, ["boltnut.example"], [], Users: 2,
            new PartnerSignIn(Guid.NewGuid(), "BoltNut Entra ID", IdentityProviderStatus.Disabled, Issuer: null, DisabledReason: null));

        var card = Render<PartnerCard>(p => p.Add(c => c.Partner, partner));

        Assert.Equal("BoltNut Entra ID (disabled)", card.Find("[data-testid=sign-in-method]").TextContent.Trim());
        Assert.Equal("Nobody of BoltNut Supply can sign in until it is enabled again.", card.Find("[data-testid=sign-in-disabled]").TextContent.Trim());
        Assert.Empty(card.FindAll("[data-testid=sign-in-issuer]"));
    }

    [Fact]
    public void Card_RendersTheActionsItIsGiven()
    {
        var partner = new PartnerSummary(Guid.NewGuid(), "BoltNut Supply", PartnerStatus.Active, ["boltnut.example"], [], Users: 2);

        var card = Render<PartnerCard>(p => p.Add(c => c.Partner, partner).Add(c => c.Actions, b => b.AddMarkupContent(0, "<button>Add identity provider</button>")));

        Assert.Equal("Add identity provider", card.Find(".mud-card-actions button").TextContent);
    }
}
