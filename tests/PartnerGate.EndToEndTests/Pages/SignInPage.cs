using Microsoft.Playwright;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>
/// Page object for /account/signin (static SSR): the e-mail step, then the password step or the partner's own
/// provider, and for staff the authenticator code page after the password.
/// </summary>
public sealed class SignInPage(IPage page)
{
    /// <summary>The one portal of the run: the steps it has accepted are tracked across all tests.</summary>
    private static readonly object Portal = new();

    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    public async Task OpenAsync() => await page.GotoAsync("/account/signin");

    /// <summary>The e-mail step: home-realm discovery decides where the person signs in.</summary>
    public async Task ContinueWithEmailAsync(string email)
    {
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
    }

    /// <summary>
    /// Signs in with e-mail and password; demo staff (Approver, Administrator) then get the code page, answered with
    /// a not-yet-used code of their published demo key. Other accounts and wrong passwords stop after the password.
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

    /// <summary>The e-mail step, then the password step when discovery leads there (it does not for a federated domain).</summary>
    public async Task SubmitPasswordAsync(string email, string password)
    {
        await ContinueWithEmailAsync(email);

        // An invalid e-mail stays on the first step with its message; anything else reaches the password step.
        var passwordField = page.GetByLabel("Password");
        await passwordField.Or(page.Locator(".account-field-error")).Or(Alert).First.WaitForAsync();
        if (!await passwordField.IsVisibleAsync())
        {
            return;
        }

        await passwordField.FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public async Task EnterCodeAsync(string code)
    {
        await page.GetByLabel("Authenticator or recovery code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
    }
}
