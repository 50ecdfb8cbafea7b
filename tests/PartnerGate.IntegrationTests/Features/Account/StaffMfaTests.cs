using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Features.Account;

/// <summary>
/// Approvers and administrators sign in with password + authenticator app, over real form posts and cookies, on
/// SQLite and PostgreSQL. Every test uses a staff member of its own (the demo staff are shared by other tests).
/// </summary>
public sealed partial class StaffMfaTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private const string SetupPath = "/account/mfa/setup";
    private static readonly string RefusedMessage = WebUtility.HtmlEncode(MfaSignInPage.RefusedMessage);
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task StaffWithoutAuthenticator_PasswordLeadsToSetUp_NoPageReachableBeforeEnrolling(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.Administrator);
        var client = app.CreateBrowserClient();

        var password = await client.PostPasswordAsync(email, DemoDataSeeder.DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.Equal(SetupPath, HttpSignIn.SameOriginPath(password));
        Assert.False(HasSessionCookie(password), "No session before the second factor.");
        foreach (var page in new[] { "/", "/grants", "/partners", "/audit" })
        {
            var response = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/signin", HttpSignIn.SameOriginPath(response), StringComparison.Ordinal);
        }

        var setup = await client.GetStringAsync(SetupPath);
        Assert.Matches("^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$", KeyShown(setup));
        Assert.Contains("src=\"data:image/png;base64,", setup, StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "account.password_accepted" && e.Details!.Contains(email) && e.Details!.Contains("authenticator_enrolment")));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Enrolment_WithWrongCode_ChangesNothing_AndKeepsTheSameKey(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.Approver);
        var client = app.CreateBrowserClient();
        await client.PostPasswordAsync(email, DemoDataSeeder.DemoPassword);
        var setup = await client.GetStringAsync(SetupPath);
        var key = KeyShown(setup);

        var response = await PostSetupAsync(client, setup, WrongCode(app, key));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("That code does not match.", body, StringComparison.Ordinal);
        Assert.Equal(key, KeyShown(body));
        Assert.False(HasSessionCookie(response));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
        await using var db = app.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.False(user.TwoFactorEnabled);
        Assert.False(await db.UserTokens.AnyAsync(t => t.UserId == user.Id));
        Assert.False(await db.AuditEvents.AnyAsync(e => e.TargetId == user.Id.ToString() && e.Action == "account.mfa_enrolled"));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Enrolment_ThenSignInWithCode_SessionCarriesAmrMfa_AndEveryStepIsAudited(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.Approver);

        var (enrolled, key, recoveryCodes) = await EnrolAsync(app, email);

        Assert.Equal(StaffAuthenticator.RecoveryCodeCount, recoveryCodes.Count);
        Assert.Contains(AmrOf(app, enrolled), v => v == "mfa");
        var client = app.CreateBrowserClient();
        var password = await client.PostPasswordAsync(email, DemoDataSeeder.DemoPassword, "/grants");
        Assert.Equal(HttpSignIn.SecondFactorPath + "?ReturnUrl=%2Fgrants", HttpSignIn.SameOriginPath(password));
        Assert.False(HasSessionCookie(password));

        var signedIn = await client.PostSecondFactorAsync(HttpSignIn.SameOriginPath(password), await TotpCodes.NextAsync(app, TimeProvider.System, email, key));

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/grants", HttpSignIn.SameOriginPath(signedIn));
        Assert.Equal(["pwd", "otp", "mfa"], AmrOf(app, signedIn));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/grants")).StatusCode);
        await using var db = app.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var actions = await db.AuditEvents.Where(e => e.TargetId == user.Id.ToString()).OrderBy(e => e.Sequence).Select(e => new { e.Action, e.Details }).ToListAsync();
        Assert.Equal(
            ["account.password_accepted", "account.mfa_enrolled", "account.recovery_codes_generated", "account.signed_in", "account.password_accepted", "account.signed_in"],
            actions.Select(a => a.Action));
        Assert.Equal("password+totp", System.Text.Json.JsonDocument.Parse(actions[^1].Details!).RootElement.GetProperty("method").GetString());
        Assert.DoesNotContain(actions, a => recoveryCodes.Any(c => a.Details!.Contains(c, StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(await db.UserTokens.Where(t => t.UserId == user.Id).Select(t => t.Value).ToListAsync(),
            v => v!.Contains(key.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal) || recoveryCodes.Any(c => v.Contains(c, StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ReplayedCode_IsRefused_WithTheSameCalmMessage(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.Approver);
        var (_, key, _) = await EnrolAsync(app, email);
        var code = await TotpCodes.NextAsync(app, TimeProvider.System, email, key);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInWithCodeAsync(app, email, code)).StatusCode);

        var replay = await SignInWithCodeAsync(app, email, code);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains(RefusedMessage, await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(HasSessionCookie(replay));
        Assert.True(await RefusalAuditedAsync(app, email, "replayed_code"));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task CodeTwoStepsOld_IsRefused(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.Administrator);
        var (_, key, _) = await EnrolAsync(app, email);

        var old = await SignInWithCodeAsync(app, email, StaffAuthenticator.CodeAt(key, DateTimeOffset.UtcNow.AddSeconds(-60)));

        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Contains(RefusedMessage, await old.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(HasSessionCookie(old));
        Assert.True(await RefusalAuditedAsync(app, email, "wrong_second_factor"));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RecoveryCode_SignsInOnce(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.Approver);
        var (_, _, recoveryCodes) = await EnrolAsync(app, email);

        // Typed back from paper: upper case and without the dash still counts.
        var first = await SignInWithCodeAsync(app, email, recoveryCodes[3].ToUpperInvariant().Replace("-", string.Empty, StringComparison.Ordinal));
        var again = await SignInWithCodeAsync(app, email, recoveryCodes[3]);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(["pwd", "mfa"], AmrOf(app, first));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains(RefusedMessage, await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.TargetId == user.Id.ToString() && e.Action == "account.signed_in"
            && e.Details!.Contains("recovery_code") && e.Details!.Contains("\"recoveryCodesLeft\":9")));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task FiveWrongCodes_LockTheAccount_ThenEvenTheRightCodeIsRefused(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.Approver);
        var (_, key, _) = await EnrolAsync(app, email);
        var client = app.CreateBrowserClient();
        var codePage = HttpSignIn.SameOriginPath(await client.PostPasswordAsync(email, DemoDataSeeder.DemoPassword));
        for (var i = 0; i < 5; i++)
        {
            var wrong = await client.PostSecondFactorAsync(codePage, WrongCode(app, key));
            Assert.Contains(RefusedMessage, await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var right = await client.PostSecondFactorAsync(codePage, await TotpCodes.NextAsync(app, TimeProvider.System, email, key));

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains(RefusedMessage, await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(HasSessionCookie(right));
        await using var db = app.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.True(user.LockoutEnd > DateTimeOffset.UtcNow);
        Assert.True(await RefusalAuditedAsync(app, email, "locked_out"));

        // The password step is locked too: one counter for both factors.
        var password = await app.CreateBrowserClient().PostPasswordAsync(email, DemoDataSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.OK, password.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(SignInPage.RefusedMessage), await password.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CodePage_WithoutPasswordStep_SaysSignInAgain_AndSignsNoOneIn()
    {
        var client = sqlite.CreateBrowserClient();

        var response = await client.PostSecondFactorAsync(HttpSignIn.SecondFactorPath, "123456");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(MfaSignInPage.ExpiredMessage), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(HasSessionCookie(response));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PartnerUser_SignsInWithPasswordAlone_SessionIsSingleFactor(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.PartnerAdmin, "BoltNut Supply", "boltnut.example");

        var response = await app.CreateBrowserClient().PostPasswordAsync(email, DemoDataSeeder.DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", HttpSignIn.SameOriginPath(response));
        Assert.Equal(["pwd"], AmrOf(app, response));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task AdministratorReset_ForcesReEnrolment_AndIsAudited(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var email = await app.CreateUserAsync(Roles.Approver);
        var (_, oldKey, recoveryCodes) = await EnrolAsync(app, email);
        Guid userId;
        await using (var db = app.CreateDbContext())
        {
            userId = (await db.Users.SingleAsync(u => u.Email == email)).Id;
        }

        var byApprover = await app.SendAsync<Result>(new ResetAuthenticatorCommand(userId, "Lost phone"), "approver@acme.example");
        var reset = await app.SendAsync<Result>(new ResetAuthenticatorCommand(userId, "Lost phone on the shop floor"), "admin@acme.example");

        Assert.Equal(ErrorKind.Forbidden, byApprover.Error!.Kind);
        Assert.True(reset.IsSuccess, reset.Error?.Message);
        var client = app.CreateBrowserClient();
        var password = await client.PostPasswordAsync(email, DemoDataSeeder.DemoPassword);
        Assert.Equal(SetupPath, HttpSignIn.SameOriginPath(password));
        var recovery = await client.PostSecondFactorAsync(HttpSignIn.SecondFactorPath, recoveryCodes[0]);
        Assert.False(HasSessionCookie(recovery), "Recovery codes of the old authenticator are gone.");
        var setup = await client.GetStringAsync(SetupPath);
        Assert.NotEqual(oldKey, KeyShown(setup));
        await using (var db = app.CreateDbContext())
        {
            var user = await db.Users.SingleAsync(u => u.Id == userId);
            Assert.False(user.TwoFactorEnabled);
            Assert.False(await db.UserTokens.AnyAsync(t => t.UserId == userId));
            var audit = await db.AuditEvents.SingleAsync(e => e.TargetId == userId.ToString() && e.Action == "account.authenticator_reset");
            Assert.Contains("Lost phone on the shop floor", audit.Details, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AdministratorReset_OfPartnerUserOrOwnAccount_IsRefused_ChangesNothing()
    {
        var partnerUser = await sqlite.CreateUserAsync(Roles.PartnerUser, "BoltNut Supply", "boltnut.example");
        var admin = await sqlite.CreateUserAsync(Roles.Administrator);
        await using var db = sqlite.CreateDbContext();
        var partnerUserId = (await db.Users.SingleAsync(u => u.Email == partnerUser)).Id;
        var adminId = (await db.Users.SingleAsync(u => u.Email == admin)).Id;

        var partner = await sqlite.SendAsync<Result>(new ResetAuthenticatorCommand(partnerUserId, "Lost phone"), admin);
        var own = await sqlite.SendAsync<Result>(new ResetAuthenticatorCommand(adminId, "Lost phone"), admin);
        var unknown = await sqlite.SendAsync<Result>(new ResetAuthenticatorCommand(Guid.NewGuid(), "Lost phone"), admin);
        var noReason = await sqlite.SendAsync<Result>(new ResetAuthenticatorCommand(adminId, " "), "admin@acme.example");

        Assert.Equal("mfa.partner_user", partner.Error!.Code);
        Assert.Equal("mfa.reset_own", own.Error!.Code);
        Assert.Equal(ErrorKind.NotFound, unknown.Error!.Kind);
        Assert.Equal(ErrorKind.Validation, noReason.Error!.Kind);
        Assert.False(await db.AuditEvents.AnyAsync(e => (e.TargetId == partnerUserId.ToString() || e.TargetId == adminId.ToString()) && e.Action == "account.authenticator_reset"));
    }

    /// <summary>Signs in over HTTP through the set-up page; returns the response that showed the recovery codes.</summary>
    private static async Task<(HttpResponseMessage Response, string Key, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(PartnerGateAppFactory app, string email)
    {
        var client = app.CreateBrowserClient();
        var password = await client.PostPasswordAsync(email, DemoDataSeeder.DemoPassword);
        Assert.Equal(SetupPath, HttpSignIn.SameOriginPath(password));
        var setup = await client.GetStringAsync(SetupPath);
        var key = KeyShown(setup);

        var response = await PostSetupAsync(client, setup, await TotpCodes.NextAsync(app, TimeProvider.System, email, key));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(HasSessionCookie(response), "Enrolment signs the user in.");
        Assert.Contains("they are not shown again", body, StringComparison.Ordinal);
        var codes = RecoveryCodePattern().Matches(body).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(StaffAuthenticator.RecoveryCodeCount, codes.Distinct().Count());
        return (response, key, codes);
    }

    private static async Task<HttpResponseMessage> PostSetupAsync(HttpClient client, string setupPage, string code) =>
        await client.PostAsync(SetupPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "mfa-setup",
            ["__RequestVerificationToken"] = HttpSignIn.AntiforgeryToken(setupPage),
            ["Input.ProtectedKey"] = WebUtility.HtmlDecode(ProtectedKeyPattern().Match(setupPage).Groups[1].Value),
            ["Input.Code"] = code,
        }));

    private static async Task<HttpResponseMessage> SignInWithCodeAsync(PartnerGateAppFactory app, string email, string code)
    {
        var client = app.CreateBrowserClient();
        var password = await client.PostPasswordAsync(email, DemoDataSeeder.DemoPassword);
        Assert.StartsWith(HttpSignIn.SecondFactorPath, HttpSignIn.SameOriginPath(password), StringComparison.Ordinal);
        return await client.PostSecondFactorAsync(HttpSignIn.SameOriginPath(password), code);
    }

    private static async Task<bool> RefusalAuditedAsync(PartnerGateAppFactory app, string email, string reason)
    {
        await using var db = app.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        return await db.AuditEvents.AnyAsync(e => e.TargetId == user.Id.ToString() && e.Action == "account.sign_in_refused" && e.Details!.Contains($"\"reason\":\"{reason}\""));
    }

    /// <summary>A six-digit code that matches none of the steps the server accepts right now.</summary>
    private static string WrongCode(PartnerGateAppFactory app, string key)
    {
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var valid = new[] { -60, -30, 0, 30, 60 }.Select(s => StaffAuthenticator.CodeAt(key, now.AddSeconds(s))).ToHashSet();
        return Enumerable.Range(0, 10).Select(i => $"{i:D6}").First(c => !valid.Contains(c));
    }

    private static string KeyShown(string html) => WebUtility.HtmlDecode(KeyPattern().Match(html).Groups[1].Value).Trim();

    private static bool HasSessionCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("PartnerGate.Session=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));

    /// <summary>The session as the app itself reads its cookie: the amr values it carries.</summary>
    internal static List<string> AmrOf(PartnerGateAppFactory app, HttpResponseMessage response)
    {
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("PartnerGate.Session=", StringComparison.Ordinal));
        var value = cookie["PartnerGate.Session=".Length..].Split(';')[0];
        var options = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
        var ticket = options.TicketDataFormat.Unprotect(value) ?? throw new InvalidOperationException("The session cookie does not decrypt.");
        return ticket.Principal.FindAll("amr").Select(c => c.Value).ToList();
    }

    [GeneratedRegex("data-testid=\"authenticator-key\">([^<]+)<")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("name=\"Input.ProtectedKey\" value=\"([^\"]+)\"")]
    private static partial Regex ProtectedKeyPattern();

    [GeneratedRegex("<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")]
    private static partial Regex RecoveryCodePattern();
}

/// <summary>On its own app with a fake clock: the session's amr must survive Identity's periodic security-stamp refresh.</summary>
public sealed class StaffSessionRefreshTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly PartnerGateAppFactory app;

    public StaffSessionRefreshTests() =>
        app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, configureServices: services => services.AddSingleton<TimeProvider>(clock));

    public ValueTask InitializeAsync() => app.InitializeAsync();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task DemoAdministrator_SignsInWithDemoKey_SessionKeepsAmrMfa_WhenIdentityRefreshesIt()
    {
        var client = await app.SignedInClientAsync("admin@acme.example");

        // Past Identity's 30-minute security-stamp interval: the cookie is re-issued from the database.
        clock.Advance(TimeSpan.FromMinutes(31));
        var refreshed = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(["pwd", "otp", "mfa"], StaffMfaTests.AmrOf(app, refreshed));
    }
}
