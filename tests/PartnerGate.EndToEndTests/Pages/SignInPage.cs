using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>Page object for /account/signin (static SSR).</summary>
public sealed class SignInPage(IPage page)
{
    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    public async Task OpenAsync() => await page.GotoAsync("/account/signin");

    public async Task SignInAsync(string email, string password)
    {
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
