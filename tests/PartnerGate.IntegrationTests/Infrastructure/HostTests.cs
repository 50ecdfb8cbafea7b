using System.Net;
using PartnerGate.Data;

namespace PartnerGate.IntegrationTests.Infrastructure;

public sealed class HostTests(SqliteApp app)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_Anonymous_IsHealthy(string path)
    {
        var response = await app.CreateBrowserClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignInPage_CarriesSecurityHeaders()
    {
        var response = await app.CreateBrowserClient().GetAsync("/account/signin");

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS only outside Development/Testing over HTTPS.");
    }

    [Fact]
    public async Task StaticAssets_MudBlazorServedLocally_NoCdn()
    {
        var client = app.CreateBrowserClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/_content/MudBlazor/MudBlazor.min.css")).StatusCode);
        var signIn = await client.GetStringAsync("/account/signin");
        Assert.DoesNotContain("https://", signIn.Replace("https://supply.acme.example", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownDatabaseProvider_AppRefusesToStart_NamingValidValues()
    {
        await using var broken = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?> { ["Database:Provider"] = "Oracle" });
        var originalError = Console.Error;
        var error = new StringWriter();
        Console.SetError(error);
        try
        {
            // The app writes one line and exits with code 1 before building a host.
            Assert.ThrowsAny<InvalidOperationException>(() => broken.Server);
        }
        finally
        {
            Console.SetError(originalError);
        }

        Assert.Contains("PartnerGate cannot start: Database:Provider 'Oracle' is not supported. Valid values: Sqlite, SqlServer, PostgreSql.",
            error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_OverHttps_SendsHsts_AndSeedsNoDemoData()
    {
        await using var production = new PartnerGateAppFactory(DatabaseProvider.Sqlite, environment: "Production",
            extraSettings: new Dictionary<string, string?> { ["Demo:Seed"] = "false" });
        var client = production.CreateClient(new() { BaseAddress = new Uri("https://partnergate.acme.example"), AllowAutoRedirect = false });

        var response = await client.GetAsync("/account/signin");

        Assert.Contains("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
        await using var db = production.CreateDbContext();
        Assert.Empty(db.Users);
        Assert.Empty(db.Partners);
    }
}
