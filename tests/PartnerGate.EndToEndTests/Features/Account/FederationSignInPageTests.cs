using System.Text.RegularExpressions;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Account;

public sealed class FederationSignInPageTests(FederatedPortalFixture portal) : IClassFixture<FederatedPortalFixture>
{
    [Fact]
    public async Task FederatedBoltNutUser_SignsInAtTheirOwnProvidersLoginPage_LandsOnThePortalAsThemselves()
    {
        var page = await portal.NewPageAsync();
        var signIn = new SignInPage(page);
        var idpLogin = new PartnerIdentityProviderLoginPage(page);
        var home = new HomePage(page);

        await signIn.OpenAsync();
        await signIn.ContinueWithEmailAsync(FederatedPortalFixture.Email);

        // Home-realm discovery hands the browser to BoltNut's own provider: its page, its origin.
        await Expect(idpLogin.Heading).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(portal.Idp.Issuer) + "/interaction/"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "federation-idp-login.png") });
        await idpLogin.SignInAsync(FederatedPortalFixture.IdpUser, FederatedPortalFixture.IdpPassword);

        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(portal.BaseAddress.ToString()) + "$"));
        await home.WaitUntilInteractiveAsync();
        await Expect(home.SignedInUser).ToContainTextAsync(FederatedPortalFixture.DisplayName);
        await Expect(page.GetByText("BoltNut Supply").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "federation-signed-in.png"), FullPage = true });
    }

    [Fact]
    public async Task BoltNutPasswordAccount_IsSentToItsProvider_NotAskedForAPassword()
    {
        var page = await portal.NewPageAsync();
        var signIn = new SignInPage(page);

        await signIn.OpenAsync();
        await signIn.ContinueWithEmailAsync("bob@boltnut.example");

        await Expect(new PartnerIdentityProviderLoginPage(page).Heading).ToBeVisibleAsync();
        await Expect(page.GetByText("Sign in to continue to")).ToBeVisibleAsync();
    }
}
