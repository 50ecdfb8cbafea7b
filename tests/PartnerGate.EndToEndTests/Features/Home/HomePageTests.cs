using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PartnerGate.Data;
using PartnerGate.Domain.Partners;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Home;

public sealed class HomePageTests(PortalFixture portal)
{
    [Fact]
    public async Task Approver_SignsInThroughChromium_SeesHomeFigures_WithoutCspViolations()
    {
        var page = await portal.NewPageAsync();
        var cspViolations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                cspViolations.Add(message.Text);
            }
        };
        var signIn = new SignInPage(page);
        var home = new HomePage(page);
        // Other tests in this run register partners of their own, so the figure is checked against the database
        // as it was just before and just after the page counted.
        var activePartnersBefore = await CountActivePartnersAsync();

        await signIn.OpenAsync();
        await signIn.SignInAsync("approver@acme.example", PortalFixture.DemoPassword);
        await home.WaitUntilInteractiveAsync();

        await Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "/").ToString());
        await Expect(page.GetByText("Welcome, Arne Approver")).ToBeVisibleAsync();
        await Expect(home.SignedInUser).ToContainTextAsync("Approver");
        // Other tests in this run create requests and grants, so only the shape of those two figures is fixed.
        await Expect(home.Figure("pending")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+$"));
        await Expect(home.Figure("grants")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+$"));
        await Expect(home.Figure("partners")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+$"));
        var shownPartners = int.Parse(await home.Figure("partners").TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture);
        var activePartnersAfter = await CountActivePartnersAsync();
        Assert.InRange(activePartnersBefore, 3, int.MaxValue); // the three demo partners at least
        Assert.InRange(shownPartners, activePartnersBefore, activePartnersAfter);
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "approver-home.png"), FullPage = true });
        Assert.Empty(cspViolations);
    }

    private async Task<int> CountActivePartnersAsync()
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        return await db.Partners.CountAsync(p => p.Status == PartnerStatus.Active);
    }

    [Fact]
    public async Task PartnerUser_NavigatesInteractively_ToOwnOrganisation_SeesNoManufacturerPages()
    {
        var (page, home) = await portal.SignedInAsync("bob@boltnut.example");

        await Expect(home.NavigationLink("Partners")).ToHaveCountAsync(0);
        await home.NavigationLink("My organisation").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "/organisation").ToString());
        await Expect(page.GetByText("BoltNut Supply").First).ToBeVisibleAsync();
        await Expect(page.GetByText(new System.Text.RegularExpressions.Regex("TISAX — valid until"))).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "partner-organisation.png"), FullPage = true });
    }

    [Fact]
    public async Task SignOut_ReturnsToSignIn_AndHomeNeedsSignInAgain()
    {
        var (page, _) = await portal.SignedInAsync("admin@acme.example");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/signin"));
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/signin\\?ReturnUrl="));
    }
}
