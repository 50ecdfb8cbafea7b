using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /account/signin (static SSR): the e-mail step, then the password step or the partner's own provider.</summary>
public sealed class SignInPage(IPage page)
{
    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    public async Task OpenAsync() => await page.GotoAsync("/account/signin");

    /// <summary>The e-mail step: home-realm discovery decides where the person signs in.</summary>
    public async Task ContinueWithEmailAsync(string email)
    {
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
    }

    public async Task SignInAsync(string email, string password)
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
}
