using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PartnerGate.Data;
using PartnerGate.Domain.Partners;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using PartnerGate.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Partners;

/// <summary>
/// Runs on a portal of its own (<see cref="PartnersPortal"/>): it adds a partner, and the shared portal's other
/// tests count the demo partners. The browser is the shared one.
/// </summary>
public sealed class IdentityProviderAdministrationTests(PortalFixture shared, PartnersPortal portal) : IClassFixture<PartnersPortal>
{
    private static string Shot(string name) => Path.Combine(PortalFixture.ScreenshotDirectory, name);

    [Fact]
    public async Task Administrator_AddsAPartnersProvider_TestsTheConnectionAgainstTheNodeIdp_AndTheCardShowsIt()
    {
        await using var idp = await TestIdentityProvider.StartAsync([TestIdpClient.RelyingParty("partnergate", "wirebridge-idp-secret", portal.BaseAddress + "signin-partner/")], []);
        var partnerName = await NewPartnerAsync();
        var page = await SignedInAsync("admin@acme.example");
        try
        {
            var partners = new PartnersPage(page);
            await partners.OpenAsync();
            await Expect(partners.SignInMethod(partnerName)).ToHaveTextAsync("Local passwords");

            await partners.StartAddingProviderAsync(partnerName);
            await Expect(partners.RedirectUri).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(portal.BaseAddress.ToString())}signin-partner/[0-9a-f]{{32}}$"));
            await partners.FillProviderAsync("Wirebridge Keycloak", idp.Issuer, "partnergate", "wirebridge-idp-secret");
            await partners.TestFormConnectionAsync();

            await Expect(partners.TestSummary).ToContainTextAsync("answers as sign-in needs it");
            await Expect(partners.Check("issuer")).ToHaveAttributeAsync("data-outcome", "Passed");
            await Expect(partners.Check("signing_keys")).ToContainTextAsync("2 signing key(s)");
            await partners.TestSummary.ScrollIntoViewIfNeededAsync();
            await page.ScreenshotAsync(new() { Path = Shot("partners-0-add-provider-tested.png") });

            await partners.SaveNewProviderAsync();
            await Expect(partners.SignInMethod(partnerName)).ToHaveTextAsync("Wirebridge Keycloak (enabled)");
            await Expect(partners.Card(partnerName).GetByTestId("sign-in-issuer")).ToContainTextAsync(idp.Issuer);
            Assert.DoesNotContain("wirebridge-idp-secret", await page.ContentAsync(), StringComparison.Ordinal);

            await partners.TestSavedConnectionAsync(partnerName);
            await Expect(partners.TestSummary).ToContainTextAsync("answers as sign-in needs it");
            await page.ScreenshotAsync(new() { Path = Shot("partners-1-saved-provider-tested.png") });
            await partners.CloseAsync();
            await partners.Card(partnerName).ScrollIntoViewIfNeededAsync();
            await page.ScreenshotAsync(new() { Path = Shot("partners-2-card.png") });
        }
        finally
        {
            // An open circuit would hold this portal's shutdown until it times out.
            await page.Context.CloseAsync();
        }
    }

    private async Task<IPage> SignedInAsync(string email)
    {
        var context = await shared.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAsync(email, PortalFixture.DemoPassword);
        await new HomePage(page).WaitUntilInteractiveAsync();
        return page;
    }

    private async Task<string> NewPartnerAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var partner = Partner.Register($"Wirebridge Components {tag}", [$"wirebridge-{tag}.example"], DateTimeOffset.UtcNow).Value;
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        db.Partners.Add(partner);
        await db.SaveChangesAsync();
        return partner.Name;
    }
}

/// <summary>The portal on a real Kestrel port with a fresh SQLite database and the demo data, for the partner tests alone.</summary>
public sealed class PartnersPortal : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string databaseDirectory = Path.Combine(Path.GetTempPath(), "partnergate-e2e-partners", Guid.NewGuid().ToString("N"));

    public Uri BaseAddress { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(databaseDirectory);
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return ValueTask.CompletedTask;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:PartnerGate", $"Data Source={Path.Combine(databaseDirectory, "partnergate.db")}");
        builder.UseSetting("Demo:Seed", "true");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(databaseDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the temp cleaner; never fails the run.
        }

        GC.SuppressFinalize(this);
    }
}
