using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Clients;

public sealed class ApiClientsPageTests(PortalFixture portal)
{
    private static string Shot(string name) => Path.Combine(PortalFixture.ScreenshotDirectory, name);

    [Fact]
    public async Task Alice_RegistersASecretClient_SeesTheSecretOnce_AndTheRowShows()
    {
        var clientId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        var (page, home) = await portal.SignedInAsync("alice@boltnut.example");
        await home.NavigationLink("API clients").ClickAsync();
        var clients = new ApiClientsPage(page);
        await new HomePage(page).WaitUntilInteractiveAsync();
        await Expect(clients.Row("boltnut-erp")).ToBeVisibleAsync();

        await clients.StartRegistrationAsync();
        await Expect(clients.Dialog).ToContainTextAsync("openssl ecparam -name prime256v1");
        await page.ScreenshotAsync(new() { Path = Shot("clients-0-register-dialog.png") });
        await clients.FillSecretClientAsync(clientId, "BoltNut warehouse scanner");
        await clients.SubmitRegistrationAsync();

        await Expect(clients.Secret).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^pgs_[A-Za-z0-9_-]{43}$"));
        await Expect(clients.SecretWarning).ToContainTextAsync("you will not see it again");
        await page.ScreenshotAsync(new() { Path = Shot("clients-1-secret-once.png") });
        var secret = await clients.Secret.TextContentAsync();
        await clients.CloseSecretAsync();

        await Expect(clients.Row(clientId)).ToContainTextAsync("BoltNut warehouse scanner");
        await Expect(clients.Row(clientId)).ToContainTextAsync("Client secret");
        await Expect(clients.Row(clientId).GetByTestId("client-status")).ToHaveTextAsync("Active");
        Assert.DoesNotContain(secret!, await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Shot("clients-2-list.png"), FullPage = true });
    }
}
