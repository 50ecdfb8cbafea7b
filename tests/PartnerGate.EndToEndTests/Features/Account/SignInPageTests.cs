using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Account;

public sealed class SignInPageTests(PortalFixture portal)
{
    [Fact]
    public async Task WrongPassword_ShowsOneClearMessage_StaysOnSignIn()
    {
        var page = await portal.NewPageAsync();
        var signIn = new SignInPage(page);

        await signIn.OpenAsync();
        await signIn.SignInAsync("carol@fastfreight.example", "not-the-password");

        await Expect(signIn.Alert).ToContainTextAsync("Sign-in failed. Check your e-mail and password.");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/signin"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "sign-in-refused.png") });
    }

    [Fact]
    public async Task InvalidEmail_ShowsFieldMessage()
    {
        var page = await portal.NewPageAsync();
        var signIn = new SignInPage(page);

        await signIn.OpenAsync();
        await signIn.SignInAsync("carol", "whatever");

        await Expect(page.GetByText("Enter a valid e-mail address.")).ToBeVisibleAsync();
    }
}
