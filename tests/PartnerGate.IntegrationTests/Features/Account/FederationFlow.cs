using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Infrastructure.Federation;

namespace PartnerGate.IntegrationTests.Features.Account;

/// <summary>
/// A partner of its own (fresh verified domain) with its own provider at a fresh test IdP process, so the
/// federation tests never touch the shared demo partners. Drives the real round trip: the portal through its
/// TestServer client, the IdP through a real HttpClient with its own cookies and its own login page.
/// </summary>
public sealed partial class FederationFlow : IAsyncDisposable
{
    public const string ClientId = "partnergate";
    public const string ClientSecret = "federation-test-secret";
    public const string AdminGroup = "partnergate-admins";

    private FederationFlow(PartnerGateAppFactory app, TestIdentityProvider idp, string domain, Guid partnerId, Guid providerId)
    {
        App = app;
        Idp = idp;
        Domain = domain;
        PartnerId = partnerId;
        ProviderId = providerId;
    }

    public PartnerGateAppFactory App { get; }
    public TestIdentityProvider Idp { get; private set; }
    public string Domain { get; }
    public Guid PartnerId { get; }
    public Guid ProviderId { get; }

    public string Email(string local) => $"{local}@{Domain}";

    public static TestIdpAccount Account(string id, string email, string name, string[]? groups = null, string[]? amr = null, string? acr = null) =>
        new(id, id + "-password", new Dictionary<string, object> { ["email"] = email, ["name"] = name, ["groups"] = groups ?? [] }, amr ?? ["pwd"], acr);

    /// <summary>A partner with a fresh domain and its provider; <paramref name="accounts"/> builds the IdP's people for that domain.</summary>
    public static async Task<FederationFlow> CreateAsync(
        PartnerGateAppFactory app,
        Func<string, IEnumerable<TestIdpAccount>> accounts,
        IdentityProviderMfaRequirement? mfa = null,
        Func<string, string>? authority = null)
    {
        var domain = $"fed-{Guid.NewGuid():N}"[..16] + ".example";
        var idp = await StartIdpAsync(accounts(domain));
        var now = DateTimeOffset.UtcNow;
        var partner = Partner.Register($"Federated partner {domain}", [domain], now).Value;
        var secrets = app.Services.GetRequiredService<IdentityProviderSecrets>();
        var provider = PartnerIdentityProvider.Register(partner, "Partner test IdP", authority?.Invoke(idp.Issuer) ?? idp.Issuer, ClientId,
            secrets.Protect(ClientSecret), ["openid", "profile", "email", "groups"],
            new IdentityProviderClaimMapping("email", "name", "groups", AdminGroup), mfa ?? IdentityProviderMfaRequirement.None, now).Value;
        await using var db = app.CreateDbContext();
        db.Partners.Add(partner);
        db.PartnerIdentityProviders.Add(provider);
        await db.SaveChangesAsync();
        return new FederationFlow(app, idp, domain, partner.Id, provider.Id);
    }

    public static Task<TestIdentityProvider> StartIdpAsync(IEnumerable<TestIdpAccount> accounts) =>
        TestIdentityProvider.StartAsync([TestIdpClient.RelyingParty(ClientId, ClientSecret, "http://localhost/signin-partner/")], accounts);

    /// <summary>Replaces the IdP process (same accounts' ids, new claims) and points the provider at it: an edit every node must follow.</summary>
    public async Task ReplaceIdpAsync(IEnumerable<TestIdpAccount> accounts)
    {
        await Idp.DisposeAsync();
        Idp = await StartIdpAsync(accounts);
        await ChangeProviderAsync(p => p.Update(p.DisplayName, Idp.Issuer, p.ClientId, null, p.Scopes, p.ClaimMapping, p.Mfa, DateTimeOffset.UtcNow));
    }

    public async Task ChangeProviderAsync(Func<PartnerIdentityProvider, PartnerGate.Domain.Common.Result> change)
    {
        await using var db = App.CreateDbContext();
        var provider = await db.PartnerIdentityProviders.SingleAsync(p => p.Id == ProviderId);
        Assert.True(change(provider).IsSuccess);
        await db.SaveChangesAsync();
    }

    public async Task SuspendPartnerAsync()
    {
        await using var db = App.CreateDbContext();
        var partner = await db.Partners.SingleAsync(p => p.Id == PartnerId);
        Assert.True(partner.Suspend("Federation test").IsSuccess);
        await db.SaveChangesAsync();
    }

    /// <summary>Home-realm discovery: posts the e-mail step and returns the page it answers with.</summary>
    public static async Task<string> DiscoverAsync(HttpClient portal, string email, string? returnUrl = null)
    {
        var path = "/account/signin" + (returnUrl is null ? string.Empty : $"?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var form = await portal.GetStringAsync(path);
        var response = await portal.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "discover",
            ["__RequestVerificationToken"] = HttpSignIn.AntiforgeryToken(form),
            ["Discovery.Email"] = email,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>From the e-mail step to the provider's authorization endpoint (absolute URL at the IdP).</summary>
    public async Task<Uri> StartAsync(HttpClient portal, string email, string? returnUrl = null)
    {
        var page = await DiscoverAsync(portal, email, returnUrl);
        var refresh = RefreshPattern().Match(page);
        Assert.True(refresh.Success, "Discovery did not send the browser on to the provider:\n" + page);
        var challenge = await portal.GetAsync(WebUtility.HtmlDecode(refresh.Groups[1].Value));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(Idp.Issuer + "/", authorize.ToString(), StringComparison.Ordinal);
        return authorize;
    }

    /// <summary>Signs in on the IdP's own login page; returns the callback URL it sends the browser back to (code, state, iss).</summary>
    public async Task<Uri> LoginAtIdpAsync(Uri authorize, string username, string password)
    {
        using var idpBrowser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var interaction = await FollowAsync(idpBrowser, authorize);
        var loginPage = await idpBrowser.GetStringAsync(interaction);
        var action = ActionPattern().Match(loginPage);
        Assert.True(action.Success, "No login form at the IdP:\n" + loginPage);
        var posted = await idpBrowser.PostAsync(new Uri(interaction, WebUtility.HtmlDecode(action.Groups[1].Value)), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
        }));
        Assert.True(posted.StatusCode is HttpStatusCode.SeeOther or HttpStatusCode.Found, $"The IdP refused the login ({(int)posted.StatusCode}):\n{Idp.Output}");
        var callback = await FollowAsync(idpBrowser, new Uri(interaction, posted.Headers.Location!));
        Assert.StartsWith("http://localhost/signin-partner/", callback.ToString(), StringComparison.Ordinal);
        return callback;
    }

    /// <summary>Delivers the callback to the portal and follows its local redirects; returns where the browser ends up (path and query).</summary>
    public static async Task<string> DeliverAsync(HttpClient portal, Uri callback)
    {
        var response = await portal.GetAsync(callback.PathAndQuery);
        for (var hops = 0; hops < 5 && response.StatusCode == HttpStatusCode.Redirect; hops++)
        {
            var next = HttpSignIn.SameOriginPath(response);
            if (!next.StartsWith("/account/signin/complete", StringComparison.Ordinal))
            {
                return next;
            }

            response = await portal.GetAsync(next);
        }

        Assert.Fail($"The callback did not end in a redirect ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync()}");
        return string.Empty;
    }

    public async Task<string> SignInAsync(HttpClient portal, string email, string username, string? returnUrl = null) =>
        await DeliverAsync(portal, await LoginAtIdpAsync(await StartAsync(portal, email, returnUrl), username, username + "-password"));

    public async Task<int> RefusalsAsync(string reason)
    {
        await using var db = App.CreateDbContext();
        return await db.AuditEvents.CountAsync(e => e.Action == FederatedSignIn.RefusedAuditAction && e.TargetId == ProviderId.ToString()
            && e.Details!.Contains($"\"reason\":\"{reason}\""));
    }

    public async Task<bool> AnyUserOfDomainAsync()
    {
        await using var db = App.CreateDbContext();
        var suffix = "@" + Domain.ToUpperInvariant();
        return await db.Users.AnyAsync(u => u.PartnerId == PartnerId || u.NormalizedEmail!.EndsWith(suffix));
    }

    public static string RefusedAt(string reason) => FederatedSignInRefusal.SignInPageFor(reason, null);

    private static async Task<Uri> FollowAsync(HttpClient client, Uri start)
    {
        var current = start;
        for (var hops = 0; hops < 10; hops++)
        {
            using var response = await client.GetAsync(current);
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.SeeOther or HttpStatusCode.Found))
            {
                return current;
            }

            var next = new Uri(current, response.Headers.Location!);
            if (next.Host == "localhost")
            {
                return next;
            }

            current = next;
        }

        throw new InvalidOperationException("Too many redirects at the IdP.");
    }

    public async ValueTask DisposeAsync() => await Idp.DisposeAsync();

    [GeneratedRegex("http-equiv=\"refresh\" content=\"0;url=([^\"]+)\"")]
    private static partial Regex RefreshPattern();

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\"")]
    private static partial Regex ActionPattern();
}
