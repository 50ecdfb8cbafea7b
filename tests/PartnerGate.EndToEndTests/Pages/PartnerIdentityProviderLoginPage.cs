using Microsoft.Playwright;

namespace PartnerGate.EndToEndTests.Pages;

/// <summary>The partner's own IdP login page (the bundled test provider's, standing in for Entra ID, Okta or Keycloak).</summary>
public sealed class PartnerIdentityProviderLoginPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Partner identity provider" });

    public async Task SignInAsync(string username, string password)
    {
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
