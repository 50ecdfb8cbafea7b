using System.Net;
using System.Text.Json;
using PartnerGate.Data;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>
/// The authorization code flow with PKCE for partner web apps, over real HTTP on SQLite and PostgreSQL:
/// grant-bound scopes (invariant 2), own partner only (invariant 4), codes and refresh tokens that die with
/// their grant (invariant 5), OAuth errors instead of failures (invariant 10).
/// </summary>
public sealed class AuthorizationCodeFlowTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task CodeFlow_PartnerUserWithGrant_GetsGrantBoundAtJwt_IdToken_AndRefreshToken(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, grantId) = await app.PartnerUserWithOrdersGrantAsync();
        var (browser, code, verifier) = await app.CodeAsync(email);

        var tokens = await CodeFlow.TokensAsync(await browser.RedeemAsync(code, verifier));

        var (header, claims) = CodeFlow.ReadJwt(tokens.GetProperty("access_token").GetString()!);
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Equal((await app.UserIdAsync(email)).ToString(), claims.GetProperty("sub").GetString());
        Assert.Equal(CodeFlow.OrdersAudience, Audience(claims));
        Assert.Equal("orders.read", ResourceScopes(claims));
        Assert.Equal(grantId.ToString(), claims.GetProperty("grant_id").GetString());
        Assert.Equal(await BoltNutIdAsync(app), claims.GetProperty("partner_id").GetString());
        Assert.Equal(CodeFlow.ClientId, claims.GetProperty("client_id").GetString());
        var (_, identity) = CodeFlow.ReadJwt(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal(claims.GetProperty("sub").GetString(), identity.GetProperty("sub").GetString());
        Assert.False(string.IsNullOrEmpty(tokens.GetProperty("refresh_token").GetString()));
        Assert.True((await browser.IntrospectAsync(tokens.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Authorize_WithoutSession_SendsToSignIn_AndComesBackToConsent(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = app.CreateBrowserClient();
        var request = CodeFlow.Request(CodeFlow.Pkce().Challenge);

        var challenge = await browser.AuthorizeAsync(request);
        var signInPath = HttpSignIn.SameOriginPath(challenge);
        Assert.StartsWith("/account/signin?ReturnUrl=", signInPath, StringComparison.Ordinal);
        var returnUrl = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://x" + signInPath).Query)["ReturnUrl"].ToString();
        var signedIn = await browser.PostSignInAsync(email, DemoDataSeeder.DemoPassword, returnUrl);
        var back = HttpSignIn.SameOriginPath(signedIn);
        Assert.StartsWith("/connect/authorize?", back, StringComparison.Ordinal);

        var authorize = await browser.GetAsync(back);
        var answer = await browser.AnswerConsentAsync(authorize);

        var callback = CodeFlow.CallbackParameters(answer);
        Assert.Equal(request["state"], callback["state"]);
        Assert.True(callback.ContainsKey("code"));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ConsentPage_ShowsClientPartnerScopesAndGrantEnd_AndAllowsOnlyTheClientsOriginInFormAction(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = await app.SignedInClientAsync(email);

        var authorize = await browser.AuthorizeAsync(CodeFlow.Request(CodeFlow.Pkce().Challenge));
        var consent = await browser.GetAsync(HttpSignIn.SameOriginPath(authorize));
        var html = await consent.Content.ReadAsStringAsync();

        Assert.Contains("BoltNut supplier portal", html, StringComparison.Ordinal);
        Assert.Contains("BoltNut Supply", html, StringComparison.Ordinal);
        Assert.Contains("Read purchase orders", html, StringComparison.Ordinal);
        Assert.Contains("Covered by your grant until", html, StringComparison.Ordinal);
        var csp = Assert.Single(consent.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("form-action 'self' http://localhost:7070;", csp, StringComparison.Ordinal);
        var elsewhere = Assert.Single((await browser.GetAsync("/account/signin")).Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("form-action 'self';", elsewhere, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Consent_Denied_RedirectsAccessDenied_WithoutCode(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = await app.SignedInClientAsync(email);

        var answer = await browser.AnswerConsentAsync(await browser.AuthorizeAsync(CodeFlow.Request(CodeFlow.Pkce().Challenge)), "submit.Deny");

        var callback = CodeFlow.CallbackParameters(answer);
        Assert.Equal("access_denied", callback["error"]);
        Assert.False(callback.ContainsKey("code"));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Consent_PostedWithoutAntiforgeryToken_IsRefused_NoCode(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = await app.SignedInClientAsync(email);
        var fields = CodeFlow.Request(CodeFlow.Pkce().Challenge).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!)).ToList();
        fields.Add(new("submit.Accept", "Accept"));

        var forged = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Null(forged.Headers.Location);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Pkce_MissingChallenge_PlainMethod_AreRefusedAtAuthorize_WrongVerifier_IsInvalidGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = await app.SignedInClientAsync(email);
        var (verifier, challenge) = CodeFlow.Pkce();

        var missing = CodeFlow.Request(challenge);
        missing.Remove("code_challenge");
        missing.Remove("code_challenge_method");
        var plain = CodeFlow.Request(verifier);
        plain["code_challenge_method"] = "plain";

        // Without a challenge OpenIddict refuses before it trusts the redirect URI: on PartnerGate's page.
        Assert.Equal("invalid_request", await CodeFlow.RefusedOnPageAsync(await browser.AuthorizeAsync(missing)));
        var plainAnswer = await browser.AuthorizeAsync(plain);
        var plainError = plainAnswer.Headers.Location is null
            ? await CodeFlow.RefusedOnPageAsync(plainAnswer)
            : CodeFlow.CallbackParameters(plainAnswer)["error"];
        Assert.Equal("invalid_request", plainError);
        Assert.DoesNotContain("code=", plainAnswer.Headers.Location?.Query ?? string.Empty, StringComparison.Ordinal);

        var (_, code, _) = await app.CodeAsync(email);
        var wrong = await browser.RedeemAsync(code, CodeFlow.Pkce().Verifier);
        Assert.Equal("invalid_grant", await CodeFlow.ErrorAsync(wrong));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RedirectUri_DifferingByOneCharacter_IsRefusedOnAClearPage_NeverRedirectedTo(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = await app.SignedInClientAsync(email);

        foreach (var redirectUri in new[] { "http://localhost:7070/callbacK", "http://localhost:7070/callback/", "http://localhost:7071/callback" })
        {
            var response = await browser.AuthorizeAsync(CodeFlow.Request(CodeFlow.Pkce().Challenge, redirectUri: redirectUri));

            Assert.Equal("invalid_request", await CodeFlow.RefusedOnPageAsync(response));
            Assert.Contains("redirect_uri", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Code_UsedTwice_SecondIsInvalidGrant_AndEverythingFromTheFirstDies(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var (browser, code, verifier) = await app.CodeAsync(email);
        var first = await CodeFlow.TokensAsync(await browser.RedeemAsync(code, verifier));
        Assert.True((await browser.IntrospectAsync(first.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());

        var second = await browser.RedeemAsync(code, verifier);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorAsync(second));
        var introspection = await browser.IntrospectAsync(first.GetProperty("access_token").GetString()!);
        Assert.False(introspection.GetProperty("active").GetBoolean());
        var refresh = await browser.RefreshAsync(first.GetProperty("refresh_token").GetString()!);
        Assert.Equal("invalid_grant", await CodeFlow.ErrorAsync(refresh));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RefreshToken_Rotates_AndDiesAtOnceWhenTheGrantIsRevoked(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, grantId) = await app.PartnerUserWithOrdersGrantAsync();
        var (browser, code, verifier) = await app.CodeAsync(email);
        var issued = await CodeFlow.TokensAsync(await browser.RedeemAsync(code, verifier));
        var firstRefresh = issued.GetProperty("refresh_token").GetString()!;

        var refreshed = await CodeFlow.TokensAsync(await browser.RefreshAsync(firstRefresh));
        var rotated = refreshed.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(firstRefresh, rotated);
        var (_, claims) = CodeFlow.ReadJwt(refreshed.GetProperty("access_token").GetString()!);
        Assert.Equal(grantId.ToString(), claims.GetProperty("grant_id").GetString());
        Assert.True((await browser.IntrospectAsync(refreshed.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());

        Assert.True((await app.RevokeAsync(grantId)).IsSuccess);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorAsync(await browser.RefreshAsync(rotated)));
        Assert.False((await browser.IntrospectAsync(refreshed.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Code_IssuedBeforeTheGrantWasRevoked_IsInvalidGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, grantId) = await app.PartnerUserWithOrdersGrantAsync();
        var (browser, code, verifier) = await app.CodeAsync(email);

        Assert.True((await app.RevokeAsync(grantId)).IsSuccess);

        Assert.Equal("invalid_grant", await CodeFlow.ErrorAsync(await browser.RedeemAsync(code, verifier)));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task OtherPartnersUser_AndManufacturerStaff_GetAccessDenied_WithAClearDescription(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        foreach (var (email, says) in new[] { ("carol@fastfreight.example", "another organisation"), ("approver@acme.example", "Manufacturer staff") })
        {
            var browser = await app.SignedInClientAsync(email);

            var callback = CodeFlow.CallbackParameters(await browser.AuthorizeAsync(CodeFlow.Request(CodeFlow.Pkce().Challenge)));

            Assert.Equal("access_denied", callback["error"]);
            Assert.Contains(says, callback["error_description"], StringComparison.Ordinal);
            Assert.False(callback.ContainsKey("code"));
        }
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ScopeWithoutGrant_OrScopesOfTwoResources_AreInvalidScope_NeverASmallerConsent(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = await app.SignedInClientAsync(email);

        foreach (var scope in new[] { "openid quality.read", "openid orders.read quality.read", "openid orders.read orders.acknowledge" })
        {
            var callback = CodeFlow.CallbackParameters(await browser.AuthorizeAsync(CodeFlow.Request(CodeFlow.Pkce().Challenge, scope)));

            Assert.Equal("invalid_scope", callback["error"]);
            Assert.False(callback.ContainsKey("code"));
        }
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Implicit_AndPasswordGrant_AreRefused(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = await app.SignedInClientAsync(email);
        var implicitRequest = CodeFlow.Request(CodeFlow.Pkce().Challenge);
        implicitRequest["response_type"] = "token";

        var implicitAnswer = await browser.AuthorizeAsync(implicitRequest);
        var password = await browser.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = CodeFlow.ClientId,
            ["client_secret"] = CodeFlow.ClientSecret,
            ["username"] = email,
            ["password"] = DemoDataSeeder.DemoPassword,
            ["scope"] = "orders.read",
        }));

        Assert.Equal("unsupported_response_type", await CodeFlow.RefusedOnPageAsync(implicitAnswer));
        Assert.Equal("unsupported_grant_type", await CodeFlow.ErrorAsync(password));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PromptNone_WithoutConsent_IsConsentRequired_AfterConsent_IssuesACode(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var browser = await app.SignedInClientAsync(email);
        var silent = CodeFlow.Request(CodeFlow.Pkce().Challenge);
        silent["prompt"] = "none";

        Assert.Equal("consent_required", CodeFlow.CallbackParameters(await browser.AuthorizeAsync(silent))["error"]);

        await browser.AnswerConsentAsync(await browser.AuthorizeAsync(CodeFlow.Request(CodeFlow.Pkce().Challenge)));
        Assert.True(CodeFlow.CallbackParameters(await browser.AuthorizeAsync(silent)).ContainsKey("code"));
        Assert.Equal("login_required", CodeFlow.CallbackParameters(await app.CreateBrowserClient().AuthorizeAsync(silent))["error"]);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task UserInfo_ReturnsSubPartnerAndProfile_PerScope(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var (email, _) = await app.PartnerUserWithOrdersGrantAsync();
        var (browser, code, verifier) = await app.CodeAsync(email, "openid profile email orders.read");
        var accessToken = (await CodeFlow.TokensAsync(await browser.RedeemAsync(code, verifier))).GetProperty("access_token").GetString()!;
        var api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);

        var info = await CodeFlow.JsonAsync(await api.GetAsync("/connect/userinfo"));

        Assert.Equal((await app.UserIdAsync(email)).ToString(), info.GetProperty("sub").GetString());
        Assert.Equal(await BoltNutIdAsync(app), info.GetProperty("partner_id").GetString());
        Assert.Equal(email, info.GetProperty("email").GetString());
        Assert.Equal("Test user", info.GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task EndSession_SignsOut_AndRedirectsOnlyToARegisteredUri(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var browser = await app.SignedInClientAsync("bob@boltnut.example");

        var unregistered = await browser.GetAsync("/connect/endsession?client_id=boltnut-web&post_logout_redirect_uri=" + Uri.EscapeDataString("https://evil.example/"));
        Assert.Equal(HttpStatusCode.BadRequest, unregistered.StatusCode);
        Assert.Null(unregistered.Headers.Location);

        var loggedOut = await browser.GetAsync("/connect/endsession?client_id=boltnut-web&state=s1&post_logout_redirect_uri=" + Uri.EscapeDataString(CodeFlow.RedirectUri));
        Assert.Equal(HttpStatusCode.Redirect, loggedOut.StatusCode);
        Assert.StartsWith(CodeFlow.RedirectUri, loggedOut.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        var home = await browser.GetAsync("/");
        Assert.StartsWith("/account/signin", HttpSignIn.SameOriginPath(home), StringComparison.Ordinal);
    }

    private static string Audience(JsonElement claims) =>
        claims.GetProperty("aud") is { ValueKind: JsonValueKind.Array } array ? Assert.Single(array.EnumerateArray()).GetString()! : claims.GetProperty("aud").GetString()!;

    /// <summary>The token's scopes without the OpenID Connect ones, which grant no API access.</summary>
    private static string ResourceScopes(JsonElement claims) => string.Join(' ', claims.GetProperty("scope").GetString()!.Split(' ')
        .Where(s => s is not ("openid" or "profile" or "email" or "offline_access")));

    private static async Task<string> BoltNutIdAsync(PartnerGateAppFactory app)
    {
        await using var db = app.CreateDbContext();
        return db.Partners.Single(p => p.Name == "BoltNut Supply").Id.ToString();
    }
}
