using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using PartnerGate.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Account;

public sealed class StaffMfaPageTests(PortalFixture portal)
{
    [Fact]
    public async Task NewApprover_SetsUpAuthenticatorFromTheKeyPage_SavesRecoveryCodes_AndIsSignedIn()
    {
        var email = await CreateApproverAsync();
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

        await signIn.OpenAsync();
        await signIn.SubmitPasswordAsync(email, PortalFixture.DemoPassword);

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/mfa/setup$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Set up your authenticator" })).ToBeVisibleAsync();
        var qr = page.GetByRole(AriaRole.Img, new() { Name = $"QR code that adds PartnerGate ({email}) to an authenticator app" });
        await Expect(qr).ToBeVisibleAsync();
        Assert.True(await qr.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"), "The QR code image must load (data: URI under the CSP).");
        var key = (await page.GetByTestId("authenticator-key").TextContentAsync())!.Trim();
        Assert.Matches("^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$", key);
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "mfa-setup.png"), FullPage = true });

        await page.GetByLabel("Code from the app").FillAsync(await TotpCodes.NextAsync(page, TimeProvider.System, email, key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on and sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Save your recovery codes" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("recovery-codes").GetByRole(AriaRole.Listitem)).ToHaveCountAsync(10);
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "mfa-recovery-codes.png"), FullPage = true });
        await page.GetByRole(AriaRole.Link, new() { Name = "I have saved them · continue" }).ClickAsync();
        var home = new HomePage(page);
        await home.WaitUntilInteractiveAsync();
        await Expect(home.SignedInUser).ToContainTextAsync("Approver");
        Assert.Empty(cspViolations);
    }

    private async Task<string> CreateApproverAsync()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>();
        var email = $"approver-{Guid.NewGuid():N}@acme.example";
        var user = new PartnerGateUser { UserName = email, Email = email, DisplayName = "Nina New", LockoutEnabled = true };
        Assert.True((await users.CreateAsync(user, PortalFixture.DemoPassword)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, Roles.Approver)).Succeeded);
        return email;
    }
}
