using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Partners;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using PartnerGate.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Partners;

public sealed class IdentityProviderAdministrationTests(PortalFixture portal)
{
    private static string Shot(string name) => Path.Combine(PortalFixture.ScreenshotDirectory, name);

    [Fact]
    public async Task Administrator_AddsAPartnersProvider_TestsTheConnectionAgainstTheNodeIdp_AndTheCardShowsIt()
    {
        await using var idp = await TestIdentityProvider.StartAsync([TestIdpClient.RelyingParty("partnergate", "wirebridge-idp-secret", portal.BaseAddress + "signin-partner/")], []);
        var partnerName = await NewPartnerAsync();
        var (page, _) = await portal.SignedInAsync("admin@acme.example");
        var partners = new PartnersPage(page);
        await partners.OpenAsync();
        await Expect(partners.SignInMethod(partnerName)).ToHaveTextAsync("Local passwords");

        await partners.StartAddingProviderAsync(partnerName);
        await Expect(partners.RedirectUri).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(portal.BaseAddress.ToString())}signin-partner/[0-9a-f]{{32}}$"));
        await partners.FillProviderAsync("Wirebridge Keycloak", idp.Issuer, "partnergate", "wirebridge-idp-secret");
        await partners.TestFormConnectionAsync();

        await Expect(partners.TestSummary).ToContainTextAsync("answers as sign-in needs it");
        await Expect(partners.Check("issuer")).ToHaveAttributeAsync("data-outcome", "Passed");
        await Expect(partners.Check("signing_keys")).ToContainTextAsync("2 signing key(s)");
        await partners.TestSummary.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Shot("partners-0-add-provider-tested.png") });

        await partners.SaveNewProviderAsync();
        await Expect(partners.SignInMethod(partnerName)).ToHaveTextAsync("Wirebridge Keycloak (enabled)");
        await Expect(partners.Card(partnerName).GetByTestId("sign-in-issuer")).ToContainTextAsync(idp.Issuer);
        Assert.DoesNotContain("wirebridge-idp-secret", await page.ContentAsync(), StringComparison.Ordinal);

        await partners.TestSavedConnectionAsync(partnerName);
        await Expect(partners.TestSummary).ToContainTextAsync("answers as sign-in needs it");
        await page.ScreenshotAsync(new() { Path = Shot("partners-1-saved-provider-tested.png") });
        await partners.CloseAsync();
        await partners.Card(partnerName).ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Shot("partners-2-card.png") });
    }

    /// <summary>A partner of this test's own: the demo partners are shared with the other end-to-end tests.</summary>
    private async Task<string> NewPartnerAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var partner = Partner.Register($"Wirebridge Components {tag}", [$"wirebridge-{tag}.example"], DateTimeOffset.UtcNow).Value;
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        db.Partners.Add(partner);
        await db.SaveChangesAsync();
        return partner.Name;
    }
}
