using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using Microsoft.Playwright;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Features.KillSwitches;
using PartnerGate.Web.Features.Partners;

using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.ContinuousValidation;

/// <summary>
/// Invariants 5 and 8 end to end: the portal on a loopback port, the demo supply-network API in its own process
/// following the revocation feed. A token is accepted; something it depends on ends in the portal; the same token is
/// refused by the API within one second of the commit, and introspection calls it inactive at once. Every test
/// arranges a partner, client and grant of its own, so the tests don't depend on each other's order.
/// </summary>
public sealed class ContinuousValidationTests(ContinuousValidationFixture portal) : IClassFixture<ContinuousValidationFixture>
{
    private const string Orders = "/purchase-orders";
    private const string Telemetry = "/line-telemetry";
    private const string Admin = "admin@acme.example";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task RevokedGrant_IsRefusedByTheApiWithinASecond_AndInactiveAtIntrospectionAtOnce()
    {
        var arranged = await ArrangeAsync("Revoked grant");
        await AssertCutOffAsync(arranged.Token, Orders, async () =>
            Assert.True((await portal.SendAsync<Result>("approver@acme.example", new RevokeGrantCommand(arranged.GrantId, "E2E: the grant is revoked."))).IsSuccess));
    }

    [Fact]
    public async Task DisabledClient_IsRefusedWithinASecond_AndAcceptedAgainOnceEnabled()
    {
        var arranged = await ArrangeAsync("Disabled client");
        await AssertCutOffAsync(arranged.Token, Orders, async () =>
            Assert.True((await portal.SendAsync<Result>(Admin, new DisableApiClientCommand(arranged.ClientId, "E2E: the client leaked its secret."))).IsSuccess));

        Assert.True((await portal.SendAsync<Result>(Admin, new EnableApiClientCommand(arranged.ClientId))).IsSuccess);
        await AssertAcceptedWithinAsync(arranged.Token, Orders);
    }

    [Fact]
    public async Task SuspendedPartner_IsRefusedWithinASecond_AndAcceptedAgainOnceReinstated()
    {
        var arranged = await ArrangeAsync("Suspended partner");
        await AssertCutOffAsync(arranged.Token, Orders, async () =>
            Assert.True((await portal.SendAsync<Result>(Admin, new SuspendPartnerCommand(arranged.PartnerId, "E2E: the partner was breached."))).IsSuccess));

        using var http = portal.PortalHttp();
        using (var refused = await AccessWorld.RequestTokenAsync(http, arranged.ClientId, arranged.Secret, "purchase-orders", "orders.read"))
        {
            Assert.False(refused.IsSuccessStatusCode);
        }

        Assert.True((await portal.SendAsync<Result>(Admin, new ReinstatePartnerCommand(arranged.PartnerId))).IsSuccess);
        await AssertAcceptedWithinAsync(arranged.Token, Orders);
    }

    [Fact]
    public async Task KillSwitch_OfAClient_CutsItsTokensOffWithinASecond()
    {
        var arranged = await ArrangeAsync("Client kill switch");
        await AssertCutOffAsync(arranged.Token, Orders, () => KillAsync(KillSwitchKind.Client, arranged.ClientId));
    }

    [Fact]
    public async Task KillSwitch_OfAPartner_CutsItsTokensOffWithinASecond()
    {
        var arranged = await ArrangeAsync("Partner kill switch");
        await AssertCutOffAsync(arranged.Token, Orders, () => KillAsync(KillSwitchKind.Partner, arranged.PartnerId.ToString()));
    }

    [Fact]
    public async Task KillSwitch_OfAResource_CutsEveryPartnersTokensForItOffWithinASecond()
    {
        var first = await ArrangeAsync("Resource kill switch A", "quality-records", "quality.read");
        var second = await ArrangeAsync("Resource kill switch B", "quality-records", "quality.read");
        var unaffected = await ArrangeAsync("Resource kill switch C");
        Guid resourceId;
        await using (var db = portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext())
        {
            resourceId = await db.Resources.Where(r => r.Name == "quality-records").Select(r => r.Id).SingleAsync();
        }

        await AssertCutOffAsync(first.Token, "/quality-records", () => KillAsync(KillSwitchKind.Resource, resourceId.ToString()));
        using var http = portal.ApiHttp();
        using (var secondResponse = await http.SendAsync(AccessWorld.ApiRequest("/quality-records", second.Token)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, secondResponse.StatusCode);
        }

        // A grant on another resource is not the resource's: its token keeps working.
        using var other = await http.SendAsync(AccessWorld.ApiRequest(Orders, unaffected.Token));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task KillSwitch_OfAllPartners_CutsEveryPartnersTokensOffWithinASecond()
    {
        var first = await ArrangeAsync("All partners A");
        var second = await ArrangeAsync("All partners B", "inventory", "inventory.read");
        await AssertCutOffAsync(first.Token, Orders, () => KillAsync(KillSwitchKind.AllPartners, null));
        using var http = portal.ApiHttp();
        using var response = await http.SendAsync(AccessWorld.ApiRequest("/inventory", second.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task LapsedCertification_SuspendsTheGrantAtTheSweep_TheApiRefusesWithinASecond_AndRenewalResumesIt()
    {
        // Line telemetry requires TISAX. The partner's label lapses eight seconds from now: arranging the partner,
        // its client, grant and an accepted token must finish before then, which takes seconds on a loaded machine.
        var lapsesAt = DateTimeOffset.UtcNow.AddSeconds(8);
        var arranged = await ArrangeAsync("Lapsing TISAX", "line-telemetry", "telemetry.read", DemoDataSeeder.Tisax, lapsesAt);
        var delay = lapsesAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }

        var sweep = portal.Services.GetRequiredService<AccessSweepService>();
        await AssertCutOffAsync(arranged.Token, Telemetry, async () => Assert.True(await sweep.SweepOnceAsync(TimeSpan.FromSeconds(15), CancellationToken.None)));

        using var http = portal.PortalHttp();
        using (var refused = await AccessWorld.RequestTokenAsync(http, arranged.ClientId, arranged.Secret, "line-telemetry", "telemetry.read"))
        {
            Assert.False(refused.IsSuccessStatusCode);
        }

        var renewed = await portal.SendAsync<Result<CertificationRenewal>>(Admin,
            new RenewCertificationCommand(arranged.PartnerId, DemoDataSeeder.Tisax, DateTimeOffset.UtcNow.AddYears(1)));
        Assert.True(renewed.IsSuccess, renewed.Error?.Message);
        Assert.Equal(1, renewed.Value.GrantsResumed);
        var fresh = await AccessWorld.TokenAsync(http, arranged.ClientId, arranged.Secret, "line-telemetry", "telemetry.read");
        await AssertAcceptedWithinAsync(fresh, Telemetry);
    }

    [Fact]
    public async Task KillSwitch_OfAUser_CutsTheirCodeFlowTokenOffWithinASecond()
    {
        // Bob's own grant, and a token the BoltNut web app got for him by the authorization code flow in Chromium.
        Guid bobId;
        await using (var db = portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext())
        {
            bobId = await db.Users.Where(u => u.Email == "bob@boltnut.example").Select(u => u.Id).SingleAsync();
        }

        await portal.World.GrantAsync(DemoDataSeeder.BoltNutPartnerId, AccessSubject.ForUser(bobId), "purchase-orders", ["orders.read"]);
        var token = await CodeFlowTokenAsync("bob@boltnut.example", "openid orders.read");
        await portal.WaitUntilAcceptedAsync(Orders, token);

        await AssertCutOffAsync(token, Orders, () => KillAsync(KillSwitchKind.User, bobId.ToString()));
    }

    [Fact]
    public async Task Administrator_PullsAPartnersKillSwitchInTheBrowser_AndTheApiRefusesItsTokenWithinASecond()
    {
        var arranged = await ArrangeAsync("Browser kill switch");
        var (page, _) = await portal.SignedInAsync(Admin);

        // The partner card's "Kill switch" link opens the page with the partner chosen.
        await page.GotoAsync($"/kill-switches?kind=partner&target={arranged.PartnerId}");
        await new HomePage(page).WaitUntilInteractiveAsync();
        var panel = page.GetByTestId("kill-switch-Partner");
        await panel.GetByLabel("Reason (the partners read it)").FillAsync("E2E: the partner reported a breach of its ERP.");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Review: Everything of a partner" }).ClickAsync();
        var confirmation = page.GetByTestId("kill-switch-confirmation");
        await Expect(confirmation).ToContainTextAsync(arranged.PartnerName);
        await Expect(confirmation).ToContainTextAsync("1 grant");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "kill-switch-confirmation.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke now" }).ClickAsync();
        await Expect(page.GetByTestId("kill-switch-summary")).ToBeVisibleAsync();
        var shown = Stopwatch.GetTimestamp();
        var lag = await portal.TimeUntilRefusedAsync(Orders, arranged.Token, shown);
        Assert.True(lag <= Bound, $"The API refused the token {lag.TotalMilliseconds:F0} ms after the summary showed.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "kill-switch-done.png"), FullPage = true });
    }

    private sealed record Arranged(Guid PartnerId, string PartnerName, string ClientId, string Secret, Guid GrantId, string Token);

    /// <summary>A new partner (certified when asked), a service client of it, a grant on <paramref name="resource"/>, and a token the API has accepted.</summary>
    private async Task<Arranged> ArrangeAsync(string name, string resource = "purchase-orders", string scope = "orders.read",
        string? certification = null, DateTimeOffset? certifiedUntil = null)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var world = portal.World;
        var partnerName = $"{name} {tag}";
        var partnerId = await world.RegisterPartnerAsync(partnerName, certification, certifiedUntil);
        var clientId = $"e2e-{tag}";
        var secret = await world.RegisterClientAsync(partnerId, clientId);
        var grantId = await world.GrantAsync(partnerId, AccessSubject.ForClient(clientId), resource, [scope]);
        using var http = portal.PortalHttp();
        var token = await AccessWorld.TokenAsync(http, clientId, secret, resource, scope);
        await portal.WaitUntilAcceptedAsync("/" + resource, token);
        return new Arranged(partnerId, partnerName, clientId, secret, grantId, token);
    }

    /// <summary>The authorization code flow with PKCE for the demo web app <c>boltnut-web</c>, signed in and consented in Chromium.</summary>
    private async Task<string> CodeFlowTokenAsync(string email, string scope)
    {
        const string callback = "http://localhost:7070/callback";
        var page = await portal.NewPageAsync();
        // Nothing listens on the app's port: the browser only has to arrive there with the code.
        await page.RouteAsync("http://localhost:7070/**", route => route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<!DOCTYPE html><title>app</title>" }));
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        await page.GotoAsync(QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = DemoDataSeeder.WebClientId,
            ["redirect_uri"] = callback,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = Guid.NewGuid().ToString("N"),
            ["code_challenge"] = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
        }));
        await new SignInPage(page).SignInAsync(email, PortalFixture.DemoPassword);
        await new ConsentPage(page).AcceptAsync();
        await page.WaitForURLAsync(new Regex("^http://localhost:7070/callback\\?code="));
        var code = QueryHelpers.ParseQuery(new Uri(page.Url).Query)["code"].ToString();
        await page.Context.CloseAsync();

        using var http = portal.PortalHttp();
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = callback,
            ["client_id"] = DemoDataSeeder.WebClientId,
            ["client_secret"] = DemoDataSeeder.WebClientSecret,
            ["code_verifier"] = verifier,
            ["resource"] = DemoDataSeeder.AudienceBase + "purchase-orders",
        }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    private async Task KillAsync(KillSwitchKind kind, string? target)
    {
        var result = await portal.SendAsync<Result<KillSwitchOutcome>>(Admin, new ActivateKillSwitchCommand(kind, target, $"E2E: kill switch {kind}."));
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.True(result.Value.GrantsRevoked >= 1);
    }

    /// <summary>Runs <paramref name="change"/>; from its commit, the API must refuse the token within a second and introspection at once.</summary>
    private async Task AssertCutOffAsync(string token, string path, Func<Task> change)
    {
        await change();
        var committed = Stopwatch.GetTimestamp();
        using var http = portal.PortalHttp();
        var introspection = AccessWorld.IsActiveAsync(http, token);
        var lag = await portal.TimeUntilRefusedAsync(path, token, committed);
        Assert.False(await introspection, "Introspection still called the token active right after the change committed.");
        Assert.True(lag <= Bound, $"The API refused the token {lag.TotalMilliseconds:F0} ms after the commit; the bound is {Bound.TotalMilliseconds:F0} ms.");
    }

    private async Task AssertAcceptedWithinAsync(string token, string path)
    {
        var since = Stopwatch.GetTimestamp();
        using var http = portal.ApiHttp();
        while (true)
        {
            using var response = await http.SendAsync(AccessWorld.ApiRequest(path, token));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(Stopwatch.GetElapsedTime(since) < TimeSpan.FromSeconds(5), $"The API still refused the token: {(int)response.StatusCode}.");
            await Task.Delay(20);
        }
    }
}
