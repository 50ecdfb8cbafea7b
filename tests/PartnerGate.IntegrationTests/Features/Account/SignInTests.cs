using System.Net;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Features.Account;

public sealed class SignInTests(SqliteApp app)
{
    private static readonly string RefusedMessage = WebUtility.HtmlEncode(SignInPage.RefusedMessage);

    [Theory]
    [InlineData("admin@acme.example", "Active partners", "You run PartnerGate")]
    [InlineData("approver@acme.example", "Active partners", "You decide partners")]
    [InlineData("approver2@acme.example", "Pending requests", "You decide partners")]
    [InlineData("alice@boltnut.example", "Your organisation&#x27;s pending requests", "BoltNut Supply")]
    [InlineData("bob@boltnut.example", "Your pending requests", "BoltNut Supply")]
    [InlineData("carol@fastfreight.example", "Your organisation&#x27;s active grants", "FastFreight Logistics")]
    [InlineData("dave@sensortech.example", "Your active grants", "SensorTech Services")]
    public async Task SignIn_EachDemoAccount_SeesHomePageForItsRole(string email, string figureLabel, string roleText)
    {
        var client = app.CreateBrowserClient();

        var response = await client.PostSignInAsync(email, DemoDataSeeder.DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", HttpSignIn.SameOriginPath(response));
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("PartnerGate.Session=", StringComparison.Ordinal));
        var home = await client.GetStringAsync("/");
        Assert.Contains(figureLabel, home, StringComparison.Ordinal);
        Assert.Contains(roleText, home, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{existing}", "wrong-password-123")]
    [InlineData("nobody@boltnut.example", DemoDataSeeder.DemoPassword)]
    [InlineData("nobody@nowhere.example", "whatever-password")]
    public async Task SignIn_WrongPasswordOrUnknownEmail_SameMessage_NoSession(string email, string password)
    {
        // A throw-away account for the wrong password: a failed attempt updates the account, which must not
        // race another test signing the shared demo user in at the same moment.
        if (email == "{existing}")
        {
            email = await app.CreateUserAsync(Roles.PartnerUser, "BoltNut Supply", "boltnut.example");
        }

        var client = app.CreateBrowserClient();

        var response = await client.PostSignInAsync(email, password);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(RefusedMessage, body, StringComparison.Ordinal);
        Assert.DoesNotContain(WebUtility.HtmlEncode(password), body, StringComparison.Ordinal);
        Assert.DoesNotContain("PartnerGate.Session=", string.Join(";", response.Headers.TryGetValues("Set-Cookie", out var c) ? c : []), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SignIn_AfterFiveFailures_AccountLocked_CorrectPasswordRefusedWithSameMessage()
    {
        var email = await app.CreateUserAsync(Roles.PartnerUser, "BoltNut Supply", "boltnut.example");
        var client = app.CreateBrowserClient();
        for (var i = 0; i < 5; i++)
        {
            await client.PostSignInAsync(email, "wrong-password-123");
        }

        var response = await client.PostSignInAsync(email, DemoDataSeeder.DemoPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(RefusedMessage, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.True(user.LockoutEnd > DateTimeOffset.UtcNow);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.TargetId == user.Id.ToString() && e.Action == "account.sign_in_refused" && e.Details!.Contains("locked_out")));
    }

    [Theory]
    [InlineData("", "x", "Enter your e-mail address.")]
    [InlineData("not-an-email-{id}", "x", "Enter a valid e-mail address.")]
    [InlineData("bob-{id}@boltnut.example", "", "Enter your password.")]
    public async Task SignIn_InvalidInput_ShowsFieldMessage_WritesNothing(string emailPattern, string password, string message)
    {
        var marker = Guid.NewGuid().ToString("N");
        var email = emailPattern.Replace("{id}", marker, StringComparison.Ordinal);
        var client = app.CreateBrowserClient();

        var response = await client.PostSignInAsync(email, password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Details!.Contains(marker)), "Invalid input must not reach the audit trail or anything else.");
    }

    [Fact]
    public async Task SignIn_OversizedInput_IsRefusedAsValidation_NotAServerError()
    {
        var client = app.CreateBrowserClient();

        var response = await client.PostSignInAsync(new string('a', 5000) + "@boltnut.example", new string('x', 5000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("That e-mail address is too long.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_PostWithoutAntiforgeryToken_IsRejected()
    {
        var client = app.CreateBrowserClient();

        var response = await client.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["Input.Email"] = "bob@boltnut.example",
            ["Input.Password"] = DemoDataSeeder.DemoPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("PartnerGate.Session=", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("/resources", "/resources")]
    [InlineData("https://evil.example/phish", "/")]
    [InlineData("//evil.example/phish", "/")]
    public async Task SignIn_ReturnUrl_OnlyLocalIsFollowed(string returnUrl, string expected)
    {
        var client = app.CreateBrowserClient();

        var response = await client.PostSignInAsync("bob@boltnut.example", DemoDataSeeder.DemoPassword, returnUrl);

        Assert.Equal(expected, HttpSignIn.SameOriginPath(response));
    }

    [Fact]
    public async Task SignOut_EndsTheSession_AndIsAudited()
    {
        var client = await app.SignedInClientAsync("approver2@acme.example");
        var home = await client.GetStringAsync("/");

        var response = await client.PostAsync("/account/signout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = HttpSignIn.AntiforgeryToken(home),
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/signin", HttpSignIn.SameOriginPath(after), StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "account.signed_out"));
    }

    [Fact]
    public async Task Anonymous_ProtectedPage_RedirectsToSignIn()
    {
        var response = await app.CreateBrowserClient().GetAsync("/partners");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The sign-in rate limiter, on its own app so its tiny limit touches no other test.</summary>
public sealed class SignInRateLimitTests : IAsyncLifetime
{
    private readonly PartnerGateAppFactory app = new(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?>
    {
        ["RateLimiting:SignIn:PermitLimit"] = "3",
        ["RateLimiting:SignIn:WindowSeconds"] = "600",
    });

    public ValueTask InitializeAsync() => app.InitializeAsync();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task SignIn_BeyondLimitFromOneAddress_Gets429WithRetryAfter()
    {
        var client = app.CreateBrowserClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostSignInAsync("bob@boltnut.example", "wrong-password-123")).StatusCode);
        }

        var limited = await client.PostSignInAsync("bob@boltnut.example", DemoDataSeeder.DemoPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.Contains("Retry-After"));
        Assert.Contains("Too many sign-in attempts", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/signin")).StatusCode);
    }

    [Fact]
    public async Task PartnerIdpCallback_BeyondLimitFromOneAddress_Gets429_WithABudgetOfItsOwn()
    {
        var client = app.CreateBrowserClient();
        var forged = $"/signin-partner/{Guid.NewGuid():N}?code=forged&state=forged";
        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.GetAsync(forged)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(forged)).StatusCode);

        // Sign-in posts count separately: a flood of callbacks does not lock people out of the password form.
        Assert.Equal(HttpStatusCode.OK, (await client.PostSignInAsync("bob@boltnut.example", "wrong-password-123")).StatusCode);
    }
}
