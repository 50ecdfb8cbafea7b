using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.IntegrationTests.Features.AdminApi;

/// <summary>
/// Gets admin API tokens the way a command-line tool does (RFC 8252): a browser signs in (password + authenticator
/// code), <c>/connect/authorize</c> with PKCE S256 redirects to a loopback port with the code, the tool redeems it at
/// <c>/connect/token</c> as the public admin console client.
/// </summary>
internal static class AdminConsoleFlow
{
    public const string RedirectUri = "http://127.0.0.1:53682/callback";

    /// <summary>A throw-away staff account with its own authenticator key, so destructive tests never touch the demo staff.</summary>
    public static async Task<(string Email, string Key)> NewStaffAsync(this PartnerGateAppFactory app, string role)
    {
        var email = await app.CreateUserAsync(role);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        var key = StaffAuthenticator.NewKey();
        var enabled = await scope.ServiceProvider.GetRequiredService<StaffAuthenticator>().EnableAsync(user, key, 0, StaffAuthenticator.NewRecoveryCodes());
        Assert.True(enabled.Succeeded);
        return (email, key);
    }

    /// <summary>A browser signed in as <paramref name="email"/>: password, then for staff the authenticator code.</summary>
    public static async Task<HttpClient> BrowserAsync(this PartnerGateAppFactory app, string email, string? key = null)
    {
        var browser = app.CreateBrowserClient();
        if (key is null)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostSignInAsync(email, DemoDataSeeder.DemoPassword)).StatusCode);
            return browser;
        }

        var password = await browser.PostPasswordAsync(email, DemoDataSeeder.DemoPassword);
        var code = await TotpCodes.NextAsync(app, app.Services.GetRequiredService<TimeProvider>(), email, key);
        var signedIn = await browser.PostSecondFactorAsync(HttpSignIn.SameOriginPath(password), code);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return browser;
    }

    public static Dictionary<string, string?> Request(string challenge, string scope, string redirectUri = RedirectUri) => new()
    {
        ["client_id"] = AdminApiTokens.ConsoleClientId,
        ["redirect_uri"] = redirectUri,
        ["response_type"] = "code",
        ["scope"] = scope,
        ["state"] = "state-" + Guid.NewGuid().ToString("N")[..8],
        ["code_challenge"] = challenge,
        ["code_challenge_method"] = "S256",
    };

    /// <summary>The parameters /connect/authorize sent back to the loopback redirect URI (a code, or an error).</summary>
    public static async Task<(Dictionary<string, string> Callback, string Verifier)> AuthorizeAsync(this HttpClient browser, string scope, string redirectUri = RedirectUri)
    {
        var (verifier, challenge) = CodeFlow.Pkce();
        var request = Request(challenge, scope, redirectUri);
        var answer = await browser.AuthorizeAsync(request);
        var callback = CodeFlow.CallbackParameters(answer, redirectUri);
        Assert.Equal(request["state"], callback["state"]);
        return (callback, verifier);
    }

    public static Task<HttpResponseMessage> RedeemAsync(this HttpClient client, string code, string verifier, string redirectUri = RedirectUri) =>
        client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = AdminApiTokens.ConsoleClientId,
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
        }));

    /// <summary>Signs in, authorizes and redeems: the admin API access token.</summary>
    public static async Task<string> AdminTokenAsync(this PartnerGateAppFactory app, string email, string? key, string scope = AdminApiTokens.ReadScope)
    {
        var browser = await app.BrowserAsync(email, key);
        var (callback, verifier) = await browser.AuthorizeAsync(scope);
        Assert.False(callback.ContainsKey("error"), callback.GetValueOrDefault("error_description"));
        var tokens = await CodeFlow.TokensAsync(await browser.RedeemAsync(callback["code"], verifier));
        return tokens.GetProperty("access_token").GetString()!;
    }

    public static async Task<HttpResponseMessage> CallAsync(this PartnerGateAppFactory app, string path, string? token)
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        return json;
    }

    public static string Challenge(HttpResponseMessage response) => Assert.Single(response.Headers.WwwAuthenticate).ToString();

    public static Dictionary<string, string> Query(Uri location) =>
        QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
}
