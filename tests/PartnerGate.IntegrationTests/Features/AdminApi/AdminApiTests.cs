using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.KillSwitches;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.IntegrationTests.Features.AdminApi;

/// <summary>
/// The admin API over real HTTP on SQLite and PostgreSQL: tokens only for staff through the admin console's code flow
/// (scopes by role), bearer-only calls re-checked live (invariant 5), partners refused (invariant 4), problems for
/// every error (invariant 10), and the OpenAPI document and reference page.
/// </summary>
public sealed partial class AdminApiTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private const string Admin = "admin@acme.example";
    private const string Approver = "approver@acme.example";
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Administrator_GetsShortLivedAdminToken_WithPkce_AndReadsGrantsAndRequests(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (_, grantId) = await app.PartnerUserWithOrdersGrantAsync();

        var token = await app.AdminTokenAsync(Admin, null, "admin.read admin.audit");

        var (header, claims) = CodeFlow.ReadJwt(token);
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Equal(AdminApiTokens.Audience, claims.GetProperty("aud").ValueKind == JsonValueKind.Array
            ? Assert.Single(claims.GetProperty("aud").EnumerateArray()).GetString() : claims.GetProperty("aud").GetString());
        Assert.Equal((await app.UserIdAsync(Admin)).ToString(), claims.GetProperty("sub").GetString());
        Assert.Equal(["admin.audit", "admin.read"], claims.GetProperty("scope").GetString()!.Split(' ').Order());
        Assert.Equal(AdminApiTokens.ConsoleClientId, claims.GetProperty("client_id").GetString());
        Assert.False(claims.TryGetProperty("partner_id", out _));
        Assert.InRange(claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64(), 60, 600);

        var grants = await app.CallAsync($"/api/admin/grants?status=active&resource=purchase-orders&pageSize=200", token);
        Assert.Equal(HttpStatusCode.OK, grants.StatusCode);
        var page = JsonDocument.Parse(await grants.Content.ReadAsStringAsync()).RootElement;
        Assert.True(page.GetProperty("total").GetInt32() >= 1);
        Assert.All(page.GetProperty("items").EnumerateArray(), g => Assert.Equal("Active", g.GetProperty("status").GetString()));

        var one = await app.CallAsync($"/api/admin/grants/{grantId}", token);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        var grant = JsonDocument.Parse(await one.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(grantId.ToString(), grant.GetProperty("id").GetString());
        Assert.Equal("purchase-orders", grant.GetProperty("resource").GetString());
        Assert.Equal("BoltNut Supply", grant.GetProperty("partnerName").GetString());

        var requestId = grant.GetProperty("accessRequestId").GetString();
        var request = await app.CallAsync($"/api/admin/access-requests/{requestId}", token);
        Assert.Equal(HttpStatusCode.OK, request.StatusCode);
        var details = JsonDocument.Parse(await request.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Approved", details.GetProperty("request").GetProperty("status").GetString());
        Assert.Equal("Approved", Assert.Single(details.GetProperty("decisions").EnumerateArray()).GetProperty("outcome").GetString());

        var requests = await app.CallAsync($"/api/admin/access-requests?status=approved&partner={DemoDataSeeder.BoltNutPartnerId}&page=1&pageSize=5", token);
        Assert.Equal(HttpStatusCode.OK, requests.StatusCode);
        var requestPage = JsonDocument.Parse(await requests.Content.ReadAsStringAsync()).RootElement;
        Assert.InRange(requestPage.GetProperty("items").GetArrayLength(), 1, 5);
        Assert.All(requestPage.GetProperty("items").EnumerateArray(), r => Assert.Equal(DemoDataSeeder.BoltNutPartnerId.ToString(), r.GetProperty("partnerId").GetString()));

        var missing = await AdminConsoleFlow.ProblemAsync(await app.CallAsync($"/api/admin/grants/{Guid.NewGuid()}", token), HttpStatusCode.NotFound);
        Assert.Equal("That grant does not exist.", missing.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Approver_ReadsGrants_ButAskingForAuditScope_IsInvalidScope(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var browser = await app.BrowserAsync(Approver);

        var (refused, _) = await browser.AuthorizeAsync("admin.read admin.audit");
        Assert.Equal("invalid_scope", refused["error"]);
        Assert.False(refused.ContainsKey("code"));

        var (callback, verifier) = await browser.AuthorizeAsync("admin.read");
        var token = (await CodeFlow.TokensAsync(await browser.RedeemAsync(callback["code"], verifier))).GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await app.CallAsync("/api/admin/grants", token)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task TokenWithoutReadScope_Is403InsufficientScope_NamingTheScope(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var token = await app.AdminTokenAsync(Admin, null, "admin.audit");

        var response = await app.CallAsync("/api/admin/grants", token);

        await AdminConsoleFlow.ProblemAsync(response, HttpStatusCode.Forbidden);
        var challenge = AdminConsoleFlow.Challenge(response);
        Assert.Contains("error=\"insufficient_scope\"", challenge, StringComparison.Ordinal);
        Assert.Contains("scope=\"admin.read\"", challenge, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PartnerUser_AskingForAdminScopes_IsAccessDenied(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var browser = await app.BrowserAsync("alice@boltnut.example");

        var (callback, _) = await browser.AuthorizeAsync("admin.read");

        Assert.Equal("access_denied", callback["error"]);
        Assert.False(callback.ContainsKey("code"));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PartnerClientCredentialsToken_NoToken_AndPortalCookie_AreRefused401(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        using var http = app.CreateClient();
        using var issued = await http.RequestTokenAsync(DemoDataSeeder.ErpClientId, DemoDataSeeder.ErpClientSecret, "orders.read");
        var partnerToken = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;

        var partner = await app.CallAsync("/api/admin/grants", partnerToken);
        await AdminConsoleFlow.ProblemAsync(partner, HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", AdminConsoleFlow.Challenge(partner), StringComparison.Ordinal);

        var none = await app.CallAsync("/api/admin/grants", null);
        await AdminConsoleFlow.ProblemAsync(none, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", AdminConsoleFlow.Challenge(none), StringComparison.Ordinal);
        Assert.DoesNotContain("error=", AdminConsoleFlow.Challenge(none), StringComparison.Ordinal);

        // A signed-in administrator's browser: the session cookie does not authorise the API (no CSRF through it).
        var browser = await app.BrowserAsync(Admin);
        var cookie = await browser.GetAsync("/api/admin/grants");
        await AdminConsoleFlow.ProblemAsync(cookie, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_OfUserWhoLostTheRole_OrWasKilled_IsRefusedOnTheNextCall(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (demoted, demotedKey) = await app.NewStaffAsync(Roles.Administrator);
        var (killed, killedKey) = await app.NewStaffAsync(Roles.Approver);
        var demotedToken = await app.AdminTokenAsync(demoted, demotedKey, "admin.read admin.audit");
        var killedToken = await app.AdminTokenAsync(killed, killedKey);
        Assert.Equal(HttpStatusCode.OK, (await app.CallAsync("/api/admin/grants", demotedToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.CallAsync("/api/admin/grants", killedToken)).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>();
            var user = (await users.FindByEmailAsync(demoted))!;
            Assert.True((await users.RemoveFromRoleAsync(user, Roles.Administrator)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, Roles.Approver)).Succeeded);
        }

        var killedId = await app.UserIdAsync(killed);
        var switched = await app.SendAsync<Result<KillSwitchOutcome>>(new ActivateKillSwitchCommand(KillSwitchKind.User, killedId.ToString(), "Laptop stolen, all access ends."), Admin);
        Assert.True(switched.IsSuccess, switched.Error?.Message);

        var lostRole = await app.CallAsync("/api/admin/grants", demotedToken);
        var lostRoleProblem = await AdminConsoleFlow.ProblemAsync(lostRole, HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", AdminConsoleFlow.Challenge(lostRole), StringComparison.Ordinal);
        Assert.Contains("admin.audit", lostRoleProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var killedCall = await app.CallAsync("/api/admin/grants", killedToken);
        await AdminConsoleFlow.ProblemAsync(killedCall, HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", AdminConsoleFlow.Challenge(killedCall), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task BadFiltersAndIds_Are400Problems_NamingTheField(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var token = await app.AdminTokenAsync(Approver, null);

        var list = await AdminConsoleFlow.ProblemAsync(
            await app.CallAsync("/api/admin/grants?status=1&partner=boltnut&page=0&pageSize=1000", token), HttpStatusCode.BadRequest);
        var errors = list.GetProperty("errors");
        Assert.Equal(["page", "pageSize", "partner", "status"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));

        var requests = await AdminConsoleFlow.ProblemAsync(await app.CallAsync("/api/admin/access-requests?status=open", token), HttpStatusCode.BadRequest);
        Assert.Contains("pending", requests.GetProperty("errors").GetProperty("status")[0].GetString(), StringComparison.Ordinal);

        var id = await AdminConsoleFlow.ProblemAsync(await app.CallAsync("/api/admin/access-requests/not-a-guid", token), HttpStatusCode.BadRequest);
        Assert.True(id.GetProperty("errors").TryGetProperty("id", out _));

        await AdminConsoleFlow.ProblemAsync(await app.CallAsync("/api/admin/no-such-thing", token), HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Redirects_LoopbackOnAnyPort_Accepted_OtherUnregistered_RefusedOnPage_CodeReplay_KillsTheToken(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var browser = await app.BrowserAsync(Approver);

        var (other, _) = await browser.AuthorizeAsync("admin.read", "http://127.0.0.1:40123/callback");
        Assert.True(other.ContainsKey("code"));
        foreach (var unregistered in new[] { "http://localhost:53682/callback", "http://127.0.0.1:53682/callbacK", "http://evil.example/scalar/" })
        {
            var response = await browser.AuthorizeAsync(AdminConsoleFlow.Request(CodeFlow.Pkce().Challenge, "admin.read", unregistered));
            Assert.Equal("invalid_request", await CodeFlow.RefusedOnPageAsync(response));
        }

        var (callback, verifier) = await browser.AuthorizeAsync("admin.read");
        var token = (await CodeFlow.TokensAsync(await browser.RedeemAsync(callback["code"], verifier))).GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await app.CallAsync("/api/admin/grants", token)).StatusCode);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorAsync(await browser.RedeemAsync(callback["code"], verifier)));
        await AdminConsoleFlow.ProblemAsync(await app.CallAsync("/api/admin/grants", token), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task OpenApiDocument_ListsTheAdminPaths_AndTheOAuthSchemeWithAdminScopes(DatabaseProvider provider)
    {
        var app = apps.For(provider);

        var response = await app.CallAsync("/openapi/v1.json", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Subset(paths.ToHashSet(), new HashSet<string> { "/api/admin/access-requests", "/api/admin/access-requests/{id}", "/api/admin/grants", "/api/admin/grants/{id}" });
        Assert.All(paths, p => Assert.StartsWith("/api/admin/", p, StringComparison.Ordinal));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oauth2");
        Assert.Equal("oauth2", scheme.GetProperty("type").GetString());
        var flow = scheme.GetProperty("flows").GetProperty("authorizationCode");
        Assert.EndsWith("/connect/authorize", flow.GetProperty("authorizationUrl").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/connect/token", flow.GetProperty("tokenUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(["admin.audit", "admin.read"], flow.GetProperty("scopes").EnumerateObject().Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        var list = document.GetProperty("paths").GetProperty("/api/admin/grants").GetProperty("get");
        Assert.Contains(list.GetProperty("security").EnumerateArray(), r => r.TryGetProperty("oauth2", out var scopes) && scopes[0].GetString() == "admin.read");
        Assert.True(list.GetProperty("responses").TryGetProperty("400", out _));
        Assert.True(list.GetProperty("responses").TryGetProperty("401", out _));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ReferencePage_ServesOnlyLocalAssets_AndItsScriptNonceIsInCspOnThatPageAlone(DatabaseProvider provider)
    {
        var app = apps.For(provider);

        var page = await app.CallAsync("/scalar/", null);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var references = AssetReference().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.False(Uri.TryCreate(r, UriKind.Absolute, out var absolute) && absolute.Host != "localhost", $"External asset {r}"));
        Assert.DoesNotContain("https://", html.Replace("https://partnergate.example", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        foreach (var script in references.Where(r => r.EndsWith(".js", StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.OK, (await app.CallAsync(new Uri(new Uri("http://localhost/scalar/"), script).PathAndQuery, null)).StatusCode);
        }

        var nonce = Nonce().Match(html).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(nonce));
        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains($"script-src 'self' 'nonce-{nonce}';", csp, StringComparison.Ordinal);
        var elsewhere = Assert.Single((await app.CallAsync("/account/signin", null)).Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", elsewhere, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task AuditExport_NeedsTheAuditScope_StreamsTheFilteredEvents_AndIsItselfAudited(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var auditToken = await app.AdminTokenAsync(Admin, null, AdminApiTokens.AuditScope);
        var readToken = await app.AdminTokenAsync(Admin, null, AdminApiTokens.ReadScope);

        var refused = await AdminConsoleFlow.ProblemAsync(await app.CallAsync("/api/admin/audit-events/export?format=jsonl", readToken), HttpStatusCode.Forbidden);
        Assert.Contains("insufficient_scope", refused.GetRawText(), StringComparison.Ordinal);
        await AdminConsoleFlow.ProblemAsync(await app.CallAsync("/api/admin/audit-events/export?format=xml", auditToken), HttpStatusCode.BadRequest);
        await AdminConsoleFlow.ProblemAsync(await app.CallAsync("/api/admin/audit-events/export?format=jsonl&from=yesterday", auditToken), HttpStatusCode.BadRequest);

        var export = await app.CallAsync("/api/admin/audit-events/export?format=jsonl&action=token.*", auditToken);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var sequences = lines.Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (Action: e.GetProperty("action").GetString()!, Sequence: e.GetProperty("sequence").GetInt64())).ToList();
        Assert.All(sequences, e => Assert.StartsWith("token.", e.Action, StringComparison.Ordinal));
        Assert.Equal(sequences.Select(e => e.Sequence).Order(), sequences.Select(e => e.Sequence));

        var adminId = (await app.UserIdAsync(Admin)).ToString();
        await using var db = app.CreateDbContext();
        var exports = db.AuditEvents.Where(e => e.Action == "audit.exported" && e.ActorId == adminId).ToList();
        Assert.Contains(exports, e => e.Details!.Contains("token.*", StringComparison.Ordinal));
        Assert.DoesNotContain(exports, e => e.Details!.Contains("xml", StringComparison.Ordinal) || e.Details!.Contains("yesterday", StringComparison.Ordinal));
    }

    [GeneratedRegex("(?:src|href)=\"([^\"]+)\"")]
    private static partial Regex AssetReference();

    [GeneratedRegex("nonce=\"([^\"]+)\"")]
    private static partial Regex Nonce();
}
