using Microsoft.Playwright;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /account/signin (static SSR) and, for staff, the authenticator code page after it.</summary>
public sealed class SignInPage(IPage page)
{
    /// <summary>The one portal of the run: the steps it has accepted are tracked across all tests.</summary>
    private static readonly object Portal = new();

    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    public async Task OpenAsync() => await page.GotoAsync("/account/signin");

    /// <summary>
    /// Signs in with e-mail and password; demo staff (Approver, Administrator) then get the code page, answered with
    /// a not-yet-used code of their published demo key. Other accounts and wrong passwords stop after the first form.
    /// </summary>
    public async Task SignInAsync(string email, string password)
    {
        await SubmitPasswordAsync(email, password);
        if (password == DemoDataSeeder.DemoPassword && DemoDataSeeder.DemoAuthenticatorKeys.TryGetValue(email, out var key))
        {
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/account/signin/mfa"));
            await EnterCodeAsync(await TotpCodes.NextAsync(Portal, TimeProvider.System, email, key));
        }
    }

    public async Task SubmitPasswordAsync(string email, string password)
    {
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public async Task EnterCodeAsync(string code)
    {
        await page.GetByLabel("Authenticator or recovery code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
    }
}
