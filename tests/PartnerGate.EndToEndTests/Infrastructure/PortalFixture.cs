using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(PartnerGate.EndToEndTests.Infrastructure.PortalFixture))]

namespace PartnerGate.EndToEndTests.Infrastructure;

/// <summary>
/// The portal on a real Kestrel port (fresh SQLite database, demo data) and Debian's Chromium driven by
/// Playwright. One app and one browser for the assembly; every test gets its own browser context, so
/// sessions never leak between tests. A derived portal (<see cref="FederatedPortalFixture"/>) adds settings of
/// its own through <see cref="PrepareAsync"/>.
/// </summary>
public class PortalFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DemoPassword = "PartnerGate!2026";

    private readonly string databaseDirectory = Path.Combine(Path.GetTempPath(), "partnergate-e2e", Guid.NewGuid().ToString("N"));
    private PortalFactory? factory;
    private IPlaywright? playwright;
    private string connectionString = string.Empty;
    private IReadOnlyDictionary<string, string?> settings = new Dictionary<string, string?>();

    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The running app's services, for arranging data the UI cannot create yet.</summary>
    public IServiceProvider Services => factory?.Services ?? throw new InvalidOperationException("The portal has not started.");

    /// <summary>Screenshots are kept with the test output for people to look at.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>
    /// Settings beyond the demo defaults, decided before the portal starts; <paramref name="port"/> is the one it
    /// will listen on (an IdP started here must know the portal's callback address first).
    /// </summary>
    protected virtual ValueTask<IReadOnlyDictionary<string, string?>> PrepareAsync(int port) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    public virtual async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(databaseDirectory);
        Directory.CreateDirectory(ScreenshotDirectory);
        var port = PartnerGate.IntegrationTests.Infrastructure.LoopbackPort.Free();
        connectionString = $"Data Source={Path.Combine(databaseDirectory, "partnergate.db")}";
        settings = await PrepareAsync(port);
        factory = new PortalFactory(connectionString, settings);
        factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
        factory.StartServer();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: ./test.sh installs Debian's chromium package.");
        }

        // The test assemblies run in parallel on two cores: a circuit round trip can take seconds under that
        // load, so waits are generous (they end as soon as the condition holds).
        Assertions.SetDefaultExpectTimeout(15_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A page in a browser context of its own, on this portal or on <paramref name="baseAddress"/> (another node).</summary>
    public async Task<IPage> NewPageAsync(Uri? baseAddress = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = (baseAddress ?? BaseAddress).ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A new browser context signed in as a demo account, with the circuit live and ready for clicks.</summary>
    public async Task<(IPage Page, Pages.HomePage Home)> SignedInAsync(string email, Uri? baseAddress = null)
    {
        var page = await NewPageAsync(baseAddress);
        var signIn = new Pages.SignInPage(page);
        var home = new Pages.HomePage(page);
        await signIn.OpenAsync();
        await signIn.SignInAsync(email, DemoPassword);
        await home.WaitUntilInteractiveAsync();
        return (page, home);
    }

    /// <summary>Sends a command through the real pipeline as a demo user, as the portal's pages do.</summary>
    public async Task<TResponse> SendAsync<TResponse>(string email, Mediator.IMessage message)
    {
        await using var scope = Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PartnerGate.Data.PartnerGateUser>>().FindByEmailAsync(email)
            ?? throw new InvalidOperationException($"No user {email}.");
        scope.ServiceProvider.GetRequiredService<PartnerGate.Web.Infrastructure.Security.CurrentUser>().Set(
            await scope.ServiceProvider.GetRequiredService<SignInManager<PartnerGate.Data.PartnerGateUser>>().CreateUserPrincipalAsync(user));
        return (TResponse)(await scope.ServiceProvider.GetRequiredService<Mediator.IMediator>().Send(message))!;
    }

    /// <summary>
    /// Another node of this portal's deployment on a port of its own: the same database and settings, its own
    /// process state (circuits, live updates, feed). The caller disposes it.
    /// </summary>
    protected (WebApplicationFactory<Program> Node, Uri BaseAddress) StartAnotherNode()
    {
        var port = PartnerGate.IntegrationTests.Infrastructure.LoopbackPort.Free();
        var node = new PortalFactory(connectionString, settings);
        node.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
        node.StartServer();
        return (node, new Uri($"http://127.0.0.1:{port}/"));
    }

    public virtual async ValueTask DisposeAsync()
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

    private sealed class PortalFactory(string connectionString, IReadOnlyDictionary<string, string?> extraSettings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Database:Provider", "Sqlite");
            builder.UseSetting("ConnectionStrings:PartnerGate", connectionString);
            builder.UseSetting("Demo:Seed", "true");

            // All browser contexts sign in from 127.0.0.1: with the default 10 sign-ins a minute the tenth
            // test's sign-in got 429. The limiter itself is tested in the integration tests.
            builder.UseSetting("RateLimiting:SignIn:PermitLimit", "100000");
            // Likewise every test's API clients authenticate from 127.0.0.1, and some fail on purpose (disabled
            // clients, rotated secrets): the failed-client-authentication throttle is tested in the integration tests.
            builder.UseSetting("RateLimiting:ClientAuthentication:PermitLimit", "100000");
            foreach (var (key, value) in extraSettings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}
