using System.Net;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Features.AccessRequests;

/// <summary>Invariant 4 at the page level: what the server renders for one partner never includes another's.</summary>
public sealed class AccessPagesTests(SqliteApp app)
{
    [Fact]
    public async Task RequestsAndGrantsPages_OtherPartner_NeverRenderBoltNutData()
    {
        var bob = await app.NewBoltNutUserAsync();
        await app.SubmittedAsync(bob, "quality-records", "quality.read", TimeSpan.FromDays(1));
        var granted = await app.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(3));
        Assert.True(granted.Value.AutoApproved);
        var carol = await app.SignedInClientAsync("carol@fastfreight.example");
        var alice = await app.SignedInClientAsync("alice@boltnut.example");

        var carolRequests = await carol.GetStringAsync("/requests");
        var carolGrants = await carol.GetStringAsync("/grants");
        var aliceRequests = await alice.GetStringAsync("/requests");

        Assert.DoesNotContain("Quality records", carolRequests, StringComparison.Ordinal);
        Assert.DoesNotContain("Test user", carolRequests, StringComparison.Ordinal);
        Assert.DoesNotContain("Test user", carolGrants, StringComparison.Ordinal);
        Assert.Contains("Quality records", aliceRequests, StringComparison.Ordinal);
        Assert.Contains("Test user", aliceRequests, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bob@boltnut.example", "/inbox")]
    [InlineData("carol@fastfreight.example", "/inbox")]
    [InlineData("approver@acme.example", "/admin/audit")]
    [InlineData("bob@boltnut.example", "/admin/audit")]
    [InlineData("approver@acme.example", "/audit")]
    [InlineData("bob@boltnut.example", "/audit")]
    [InlineData("dave@sensortech.example", "/audit?partner=5e450000-0000-4000-8000-000000000003")]
    [InlineData("approver@acme.example", "/requests")]
    public async Task ManufacturerAndAdminPages_WrongRole_IsDenied(string email, string path)
    {
        var client = await app.SignedInClientAsync(email);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", HttpSignIn.SameOriginPath(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin@acme.example", "/audit")]
    [InlineData("admin@acme.example", "/admin/audit")]
    [InlineData("alice@boltnut.example", "/audit")]
    public async Task AuditPage_Auditor_Renders(string email, string path)
    {
        var client = await app.SignedInClientAsync(email);

        var page = await client.GetStringAsync(path);

        Assert.Contains("Audit trail", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InboxPage_Approver_Renders()
    {
        var client = await app.SignedInClientAsync("approver@acme.example");

        var page = await client.GetStringAsync("/inbox");

        Assert.Contains("Approval inbox", page, StringComparison.Ordinal);
    }
}
