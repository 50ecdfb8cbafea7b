using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Features.Audit;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.AuditExportBench;

/// <summary>
/// The real portal on a loopback Kestrel port over a given SQLite file, Development, sweep off, logging at Warning.
/// Besides the real <c>/audit/export</c> it serves the naive peer at <see cref="NaivePath"/>: the same writer fed
/// from <c>ToListAsync()</c>, the way an export is often first written.
/// </summary>
public sealed partial class ExportPortal(string databaseFile) : WebApplicationFactory<Program>
{
    public const string NaivePath = "/bench/naive-export";

    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSolutionRelativeContentRoot(Path.Combine("src", "PartnerGate.Web"));
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", nameof(DatabaseProvider.Sqlite));
        builder.UseSetting("ConnectionStrings:PartnerGate", $"Data Source={databaseFile}");
        builder.UseSetting("Demo:Seed", "true");
        builder.UseSetting("Sweep:Enabled", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, NaiveExportFilter>());
    }

    public PartnerGateDbContext CreateDbContext() => Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext();

    /// <summary>Signs the demo administrator in as a browser does: password form, then the demo authenticator's code.</summary>
    public async Task<HttpClient> SignedInAdministratorAsync()
    {
        const string email = "admin@acme.example";
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromHours(1),
        };
        var password = await PostFormAsync(client, AccountEndpoints.SignInPath, new()
        {
            ["_handler"] = "signin", ["Input.Email"] = email, ["Input.Password"] = DemoDataSeeder.DemoPassword,
        });
        var mfaPath = password.Headers.Location?.OriginalString ?? throw new InvalidOperationException("Signing in did not ask for the second factor.");
        var code = StaffAuthenticator.CodeAt(DemoDataSeeder.DemoAuthenticatorKeys[email], DateTimeOffset.UtcNow);
        var mfa = await PostFormAsync(client, mfaPath, new() { ["_handler"] = "mfa", ["Input.Code"] = code });
        if (mfa.StatusCode != HttpStatusCode.Redirect || mfa.Headers.Location?.OriginalString.Contains("mfa", StringComparison.Ordinal) == true)
        {
            throw new InvalidOperationException($"The authenticator step answered {(int)mfa.StatusCode} {mfa.Headers.Location}.");
        }

        return client;
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        var form = await client.GetStringAsync(path);
        var match = AntiforgeryPattern().Match(form);
        fields["__RequestVerificationToken"] = match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"{path} carries no antiforgery token.");
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(path, content);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryPattern();

    /// <summary>The naive peer, ahead of the app's pipeline (no sign-in: it exists only in this bench).</summary>
    private sealed class NaiveExportFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (!context.Request.Path.Equals(NaivePath, StringComparison.Ordinal))
                {
                    await nextMiddleware(context);
                    return;
                }

                var format = context.Request.Query["format"] == "csv" ? AuditExportFormat.Csv : AuditExportFormat.Jsonl;
                await using var db = await context.RequestServices.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync(context.RequestAborted);
                var all = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(context.RequestAborted);
                context.Response.ContentType = AuditExport.MediaType(format);
                var events = all.ToAsyncEnumerable();
                _ = format == AuditExportFormat.Csv
                    ? await AuditExport.WriteCsvAsync(events, context.Response.Body, context.RequestAborted)
                    : await AuditExport.WriteJsonLinesAsync(events, context.Response.Body, context.RequestAborted);
            });
            next(app);
        };
    }
}
