using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.EndToEndTests.Infrastructure;

/// <summary>
/// A portal of its own whose demo seed registers BoltNut's identity provider (Demo:BoltNutIdentityProvider),
/// pointing at a node IdP process started here. Separate from <see cref="PortalFixture"/>: there BoltNut's
/// people sign in with passwords, which a federated BoltNut no longer allows.
/// </summary>
public sealed class FederatedPortalFixture : IAsyncLifetime
{
    public const string IdpUser = "dana";
    public const string IdpPassword = "dana-idp-password";
    public const string Email = "dana.fischer@boltnut.example";
    public const string DisplayName = "Dana Fischer";

    private readonly string databaseDirectory = Path.Combine(Path.GetTempPath(), "partnergate-e2e-federation", Guid.NewGuid().ToString("N"));
    private FederatedPortalFactory? factory;
    private IPlaywright? playwright;

    public TestIdentityProvider Idp { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(databaseDirectory);
        Directory.CreateDirectory(PortalFixture.ScreenshotDirectory);

        // The IdP must know the portal's callback before the portal (whose seed names the IdP) starts: pick the port first.
        var port = FreePort();
        Idp = await TestIdentityProvider.StartAsync(
            [TestIdpClient.RelyingParty("partnergate", "boltnut-idp-demo-secret", $"http://127.0.0.1:{port}/signin-partner/")],
            [new TestIdpAccount(IdpUser, IdpPassword,
                new Dictionary<string, object> { ["email"] = Email, ["name"] = DisplayName, ["groups"] = new[] { "boltnut-staff", "partnergate-admins" } },
                ["pwd", "otp"])]);

        factory = new FederatedPortalFactory($"Data Source={Path.Combine(databaseDirectory, "partnergate.db")}", Idp.Issuer);
        factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
        factory.StartServer();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = PortalFixture.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }

        if (Idp is not null)
        {
            await Idp.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(databaseDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the temp cleaner; never fails the run.
        }
    }

    private sealed class FederatedPortalFactory(string connectionString, string authority) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Database:Provider", "Sqlite");
            builder.UseSetting("ConnectionStrings:PartnerGate", connectionString);
            builder.UseSetting("Demo:Seed", "true");
            builder.UseSetting("RateLimiting:SignIn:PermitLimit", "100000");
            builder.UseSetting("Demo:BoltNutIdentityProvider:Authority", authority);
            builder.UseSetting("Demo:BoltNutIdentityProvider:ClientId", "partnergate");
            builder.UseSetting("Demo:BoltNutIdentityProvider:ClientSecret", "boltnut-idp-demo-secret");
            builder.UseSetting("Demo:BoltNutIdentityProvider:Scopes", "openid profile email groups");
            builder.UseSetting("Demo:BoltNutIdentityProvider:RoleClaim", "groups");
            builder.UseSetting("Demo:BoltNutIdentityProvider:PartnerAdminRoleValue", "partnergate-admins");
            builder.UseSetting("Demo:BoltNutIdentityProvider:RequireMfa", "true");
        }
    }
}
