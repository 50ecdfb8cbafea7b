using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>
/// Drives the authorization code flow over real HTTP the way a partner web app and a browser do: a cookie-keeping
/// client that does not follow redirects plays the browser, form posts play the app's back channel.
/// </summary>
internal static partial class CodeFlow
{
    public const string ClientId = DemoDataSeeder.WebClientId;
    public const string ClientSecret = DemoDataSeeder.WebClientSecret;
    public const string RedirectUri = "http://localhost:7070/callback";
    public const string OrdersAudience = "https://supply.acme.example/purchase-orders";

    /// <summary>A throw-away BoltNut user with an active one-day grant on purchase-orders / orders.read (request, then approval).</summary>
    public static async Task<(string Email, Guid GrantId)> PartnerUserWithOrdersGrantAsync(this PartnerGateAppFactory app)
    {
        var email = await app.NewBoltNutUserAsync();
        var requestId = await app.SubmittedAsync(email, "purchase-orders", "orders.read", TimeSpan.FromDays(1));
        var approval = await app.ApproveAsync("approver@acme.example", requestId);
        Assert.True(approval.IsSuccess, approval.Error?.Message);
        return (email, Assert.IsType<Guid>(approval.Value.GrantId));
    }

    public static async Task<Guid> UserIdAsync(this PartnerGateAppFactory app, string email)
    {
        await using var db = app.CreateDbContext();
        return db.Users.Single(u => u.Email == email).Id;
    }

    public static Task<Result> RevokeAsync(this PartnerGateAppFactory app, Guid grantId) =>
        app.SendAsync<Result>(new Web.Features.Grants.RevokeGrantCommand(grantId, "Supplier contract ended."), "approver@acme.example");

    /// <summary>A fresh PKCE pair (RFC 7636): a random verifier and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (verifier, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static Dictionary<string, string?> Request(string challenge, string scope = "openid orders.read offline_access", string redirectUri = RedirectUri) => new()
    {
        ["client_id"] = ClientId,
        ["redirect_uri"] = redirectUri,
        ["response_type"] = "code",
        ["scope"] = scope,
        ["state"] = "state-" + Guid.NewGuid().ToString("N")[..8],
        ["nonce"] = "nonce-" + Guid.NewGuid().ToString("N")[..8],
        ["code_challenge"] = challenge,
        ["code_challenge_method"] = "S256",
    };

    public static Task<HttpResponseMessage> AuthorizeAsync(this HttpClient browser, IDictionary<string, string?> parameters) =>
        browser.GetAsync(QueryHelpers.AddQueryString("/connect/authorize", parameters.Where(p => p.Value is not null)));

    /// <summary>Follows the authorize redirect to the consent page and answers it with its own form (antiforgery included).</summary>
    public static async Task<HttpResponseMessage> AnswerConsentAsync(this HttpClient browser, HttpResponseMessage authorize, string button = "submit.Accept")
    {
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var consentPath = HttpSignIn.SameOriginPath(authorize);
        Assert.StartsWith("/connect/consent?", consentPath, StringComparison.Ordinal);
        var consent = await browser.GetAsync(consentPath);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var html = await consent.Content.ReadAsStringAsync();
        var fields = HiddenInputs(html);
        Assert.Contains(fields, f => f.Key == "__RequestVerificationToken");
        fields.Add(new(button, "x"));
        return await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(fields));
    }

    public static List<KeyValuePair<string, string>> HiddenInputs(string html) =>
        [.. HiddenInputPattern().Matches(html).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))];

    /// <summary>The parameters the server sent back to the client's redirect URI (query, or fragment for implicit-style answers).</summary>
    public static Dictionary<string, string> CallbackParameters(HttpResponseMessage response, string redirectUri = RedirectUri)
    {
        var location = response.Headers.Location ?? throw new InvalidOperationException($"No redirect ({(int)response.StatusCode}).");
        Assert.True(location.IsAbsoluteUri, $"Expected a redirect to the client, got {location}.");
        Assert.StartsWith(redirectUri, location.AbsoluteUri, StringComparison.Ordinal);
        var parameters = location.Query.Length > 1 ? location.Query : location.Fragment;
        return QueryHelpers.ParseQuery(parameters.TrimStart('?', '#')).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    /// <summary>
    /// The error of a refused authorization request that must not reach the client: OpenIddict answers requests it
    /// cannot trust yet (no code_challenge, an unsupported response type, an unregistered redirect URI) on
    /// PartnerGate's own page instead of redirecting.
    /// </summary>
    public static async Task<string> RefusedOnPageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("This sign-in request was refused", page, StringComparison.Ordinal);
        return ErrorCodePattern().Match(page).Groups[1].Value;
    }

    /// <summary>Sign in as <paramref name="email"/>, authorize, accept: the code and the verifier to redeem it with.</summary>
    public static async Task<(HttpClient Browser, string Code, string Verifier)> CodeAsync(this PartnerGateAppFactory app, string email, string scope = "openid orders.read offline_access")
    {
        var browser = await app.SignedInClientAsync(email);
        var (verifier, challenge) = Pkce();
        var request = Request(challenge, scope);
        var answer = await browser.AnswerConsentAsync(await browser.AuthorizeAsync(request));
        var callback = CallbackParameters(answer);
        Assert.Equal(request["state"], callback["state"]);
        Assert.False(callback.ContainsKey("error"), callback.GetValueOrDefault("error_description"));
        return (browser, callback["code"], verifier);
    }

    public static Task<HttpResponseMessage> RedeemAsync(this HttpClient client, string code, string verifier, string redirectUri = RedirectUri) =>
        client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
        }));

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["refresh_token"] = refreshToken,
        }));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static async Task<JsonElement> TokensAsync(HttpResponseMessage response)
    {
        var json = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        return json;
    }

    public static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("error").GetString()!;
    }

    /// <summary>A JWT's header and payload (the signature is the resource server's business; here the claims matter).</summary>
    public static (JsonElement Header, JsonElement Payload) ReadJwt(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        return (JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[0])).RootElement.Clone(),
            JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1])).RootElement.Clone());
    }

    [GeneratedRegex("Error code: <code>([a-z_]+)</code>")]
    private static partial Regex ErrorCodePattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenInputPattern();
}
