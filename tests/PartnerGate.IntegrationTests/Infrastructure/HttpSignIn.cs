using System.Net;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>Signs in the way a browser does: fetch the form, keep its antiforgery token and cookie, post it.</summary>
public static partial class HttpSignIn
{
    public const string SecondFactorPath = "/account/signin/mfa";

    /// <summary>Which app a browser client talks to: its database holds the authenticator steps already used.</summary>
    private static readonly ConditionalWeakTable<HttpClient, PartnerGateAppFactory> Apps = new();

    public static HttpClient CreateBrowserClient(this PartnerGateAppFactory app)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Apps.AddOrUpdate(client, app);
        return client;
    }

    public static async Task<HttpClient> SignedInClientAsync(this PartnerGateAppFactory app, string email)
    {
        var client = app.CreateBrowserClient();
        var response = await client.PostSignInAsync(email, DemoDataSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>
    /// Signs in as a user would: the password form, then, for demo staff (whose authenticator key the demo seed
    /// publishes), the authenticator code page with a code not used yet. Returns the last response.
    /// </summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(this HttpClient client, string email, string password, string? returnUrl = null)
    {
        var response = await client.PostPasswordAsync(email, password, returnUrl);
        if (response.StatusCode != HttpStatusCode.Redirect || !SameOriginPath(response).StartsWith(SecondFactorPath, StringComparison.Ordinal)
            || !DemoDataSeeder.DemoAuthenticatorKeys.TryGetValue(email, out var key))
        {
            return response;
        }

        var app = Apps.TryGetValue(client, out var a) ? a : throw new InvalidOperationException("Create the client with CreateBrowserClient.");
        var code = await TotpCodes.NextAsync(app, app.Services.GetRequiredService<TimeProvider>(), email, key);
        return await client.PostSecondFactorAsync(SameOriginPath(response), code);
    }

    /// <summary>Only the password form: for staff, the response leads to the second factor (no session yet).</summary>
    public static async Task<HttpResponseMessage> PostPasswordAsync(this HttpClient client, string email, string password, string? returnUrl = null)
    {
        var path = "/account/signin" + (returnUrl is null ? string.Empty : $"?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var form = await client.GetStringAsync(path);
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    /// <summary>Posts an authenticator or recovery code on the code page (path as the password step redirected to).</summary>
    public static async Task<HttpResponseMessage> PostSecondFactorAsync(this HttpClient client, string path, string code)
    {
        var form = await client.GetStringAsync(path);
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "mfa",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
            ["Input.Code"] = code,
        }));
    }

    /// <summary>The redirect target's path, after checking it stays on this site.</summary>
    public static string SameOriginPath(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new InvalidOperationException($"No redirect ({(int)response.StatusCode}).");
        if (!location.IsAbsoluteUri)
        {
            return location.OriginalString;
        }

        Assert.Equal("localhost", location.Host);
        return location.PathAndQuery;
    }

    public static string AntiforgeryToken(string html)
    {
        var match = AntiforgeryPattern().Match(html);
        Assert.True(match.Success, "The page carries no antiforgery token.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryPattern();
}
