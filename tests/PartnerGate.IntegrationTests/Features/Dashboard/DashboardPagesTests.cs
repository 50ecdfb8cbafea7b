using System.Net;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Features.Dashboard;

/// <summary>The dashboard page and the filtered lists it links to, as the server renders them for each role (invariant 4).</summary>
public sealed class DashboardPagesTests(SqliteApp app)
{
    private const string BoltNutId = "b0170000-0000-4000-8000-000000000001";
    private const string FastFreightId = "fa570000-0000-4000-8000-000000000002";

    [Theory]
    [InlineData("bob@boltnut.example")]
    [InlineData("alice@boltnut.example")]
    [InlineData("carol@fastfreight.example")]
    public async Task DashboardPage_PartnerMembers_AreSentToAccessDenied(string email)
    {
        var client = await app.SignedInClientAsync(email);

        var response = await client.GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", HttpSignIn.SameOriginPath(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("approver@acme.example")]
    [InlineData("admin@acme.example")]
    public async Task DashboardPage_Staff_RendersEveryChartWithTheListsBehindIt(string email)
    {
        var client = await app.SignedInClientAsync(email);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/dashboard"));

        Assert.Contains("Pending requests and their age", page, StringComparison.Ordinal);
        Assert.Contains("Median time to decision", page, StringComparison.Ordinal);
        Assert.Contains("last 30 days", page, StringComparison.Ordinal);
        Assert.Contains("Active grants by sensitivity", page, StringComparison.Ordinal);
        Assert.Contains("Active grants by partner", page, StringComparison.Ordinal);
        Assert.Contains("Grants expiring in the next 24 hours", page, StringComparison.Ordinal);
        Assert.Contains("Revocations in the last 7 days", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/inbox?scope=all\"", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/grants?status=active&sensitivity=High\"", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/grants?expiresWithinHours=24\"", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/grants?status=revoked&revokedWithinDays=7\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HomePage_LinksStaffToTheDashboard_AndNotPartners()
    {
        var approver = await app.SignedInClientAsync("approver@acme.example");
        var bob = await app.SignedInClientAsync("bob@boltnut.example");

        Assert.Contains("Open the dashboard", await approver.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.DoesNotContain("Open the dashboard", await bob.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantsPage_PartnerAdminFilteringByAnotherPartner_ShowsNothingOfIt()
    {
        await AutoApprovedBoltNutGrantAsync();
        var carol = await app.SignedInClientAsync("carol@fastfreight.example");
        var alice = await app.SignedInClientAsync("alice@boltnut.example");

        var carolPage = WebUtility.HtmlDecode(await carol.GetStringAsync($"/grants?status=active&partner={BoltNutId}"));
        var alicePage = WebUtility.HtmlDecode(await alice.GetStringAsync($"/grants?status=active&partner={BoltNutId}&sensitivity=Low"));

        Assert.Contains("Partner: another organisation", carolPage, StringComparison.Ordinal);
        Assert.Contains("No grants to show.", carolPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Test user", carolPage, StringComparison.Ordinal);
        Assert.Contains("Status: active", alicePage, StringComparison.Ordinal);
        Assert.Contains("Sensitivity: Low", alicePage, StringComparison.Ordinal);
        Assert.Contains("Test user", alicePage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantsPage_StaffFilters_ShowTheirChips_AndOnlyMatchingGrants()
    {
        await AutoApprovedBoltNutGrantAsync();
        var admin = await app.SignedInClientAsync("admin@acme.example");

        var boltNutPage = WebUtility.HtmlDecode(await admin.GetStringAsync($"/grants?status=active&partner={BoltNutId}&expiresWithinHours=24"));
        var fastFreightPage = WebUtility.HtmlDecode(await admin.GetStringAsync($"/grants?status=active&partner={FastFreightId}"));

        Assert.Contains("Partner: BoltNut Supply", boltNutPage, StringComparison.Ordinal);
        Assert.Contains("Active, ending within 24 h", boltNutPage, StringComparison.Ordinal);
        Assert.Contains("Test user", boltNutPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Show ended grants", boltNutPage, StringComparison.Ordinal);
        Assert.Contains("Partner: FastFreight Logistics", fastFreightPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Test user", fastFreightPage, StringComparison.Ordinal);
    }

    /// <summary>A grant held by a new BoltNut user ("Test user"), active for 3 hours: Low sensitivity, approved automatically.</summary>
    private async Task AutoApprovedBoltNutGrantAsync()
    {
        var bob = await app.NewBoltNutUserAsync();
        var granted = await app.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(3));
        Assert.True(granted.Value.AutoApproved);
    }

    [Theory]
    [InlineData("/grants?status=bogus", "status=bogus: not understood")]
    [InlineData("/grants?expiresWithinHours=soon", "expiresWithinHours=soon: not understood")]
    [InlineData("/grants?revokedWithinDays=400", "1 to 90 days")]
    [InlineData("/inbox?minAgeHours=x", "minAgeHours=x: not understood")]
    [InlineData("/inbox?scope=everything", "scope=everything: not understood")]
    public async Task Lists_UnreadableFilter_SayWhichAndAnswerOk(string path, string message)
    {
        var admin = await app.SignedInClientAsync("admin@acme.example");

        var response = await admin.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InboxPage_AllPendingOfAnAge_ShowsItsChips()
    {
        var admin = await app.SignedInClientAsync("admin@acme.example");

        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/inbox?scope=all&minAgeHours=1&maxAgeHours=4"));

        Assert.Contains("All pending requests", page, StringComparison.Ordinal);
        Assert.Contains("Waiting 1–4 h", page, StringComparison.Ordinal);
    }
}
