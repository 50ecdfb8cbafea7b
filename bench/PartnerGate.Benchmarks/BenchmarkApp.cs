using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.Benchmarks;

/// <summary>
/// The real app in-process, as the integration tests host it: a fresh SQLite file in a temp directory,
/// migrated and demo-seeded at start-up, Development environment. The sweep is off so no background
/// work expires or touches requests while a benchmark runs.
/// </summary>
public sealed partial class BenchmarkApp : WebApplicationFactory<Program>
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "partnergate-bench", Guid.NewGuid().ToString("N"));

    public BenchmarkApp()
    {
        Directory.CreateDirectory(directory);
        ConnectionString = $"Data Source={Path.Combine(directory, "partnergate.db")}";
    }

    public string ConnectionString { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // WebApplicationFactory looks for its content-root manifest in the working directory, which for
        // `dotnet run --project` is wherever the command was typed; find the app from the solution instead.
        builder.UseSolutionRelativeContentRoot(Path.Combine("src", "PartnerGate.Web"));
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", nameof(DatabaseProvider.Sqlite));
        builder.UseSetting("ConnectionStrings:PartnerGate", ConnectionString);
        builder.UseSetting("Demo:Seed", "true");
        builder.UseSetting("Sweep:Enabled", "false");

        // Console logging inside a measured loop would measure the console; warnings and errors still show.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Warning");

        // Keys are persisted unencrypted in Development, which DataProtection warns about once per start.
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
    }

    public PartnerGateDbContext CreateDbContext() => Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext();

    /// <summary>The principal a signed-in user carries, built the way sign-in builds it (roles and partner claims included).</summary>
    public async Task<ClaimsPrincipal> PrincipalForAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}.");
        return await scope.ServiceProvider.GetRequiredService<SignInManager<PartnerGateUser>>().CreateUserPrincipalAsync(user);
    }

    /// <summary>Signs in over HTTP the way a browser does (form, antiforgery token, cookie), like the tests' HttpSignIn.</summary>
    public async Task<HttpClient> SignedInClientAsync(string email)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        const string path = "/account/signin";
        var form = await client.GetStringAsync(path);
        var match = AntiforgeryPattern().Match(form);
        if (!match.Success)
        {
            throw new InvalidOperationException("The sign-in page carries no antiforgery token.");
        }

        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(match.Groups[1].Value),
            ["Input.Email"] = email,
            ["Input.Password"] = DemoDataSeeder.DemoPassword,
        });
        using var response = await client.PostAsync(path, content);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {email} answered {(int)response.StatusCode}, not a redirect.");
        }

        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left to the temp cleaner; it must not fail the run.
        }

        GC.SuppressFinalize(this);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryPattern();
}
