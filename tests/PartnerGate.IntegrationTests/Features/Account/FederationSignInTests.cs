using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Features.Account;

/// <summary>Sign-in through a partner's own IdP (node oidc-provider in its own process), end to end.</summary>
public sealed class FederationSignInTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task FirstSignIn_CreatesUserInThatPartner_WithMappedRole_AndLandsOnReturnUrl(DatabaseProvider database)
    {
        var app = apps.For(database);
        await using var flow = await FederationFlow.CreateAsync(app, d =>
            [FederationFlow.Account("dana", $"dana@{d}", "Dana Federated", [FederationFlow.AdminGroup, "staff"], ["pwd", "otp"])]);
        var portal = app.CreateBrowserClient();

        var landing = await flow.SignInAsync(portal, flow.Email("dana"), "dana", returnUrl: "/resources");

        Assert.Equal("/resources", landing);
        await using var db = app.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == flow.Email("dana"));
        Assert.Equal(flow.PartnerId, user.PartnerId);
        Assert.Equal("Dana Federated", user.DisplayName);
        Assert.Null(user.PasswordHash);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>();
        Assert.Equal([Roles.PartnerAdmin], await users.GetRolesAsync(user));
        Assert.Equal(user.Id, (await users.FindByLoginAsync(PartnerIdentityProvider.SchemeNameFor(flow.ProviderId), "dana"))?.Id);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "user.provisioned" && e.TargetId == user.Id.ToString() && e.PartnerId == flow.PartnerId));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "account.signed_in" && e.TargetId == user.Id.ToString() && e.Details!.Contains("\"method\":\"federated\"")));

        // The session is the provisioned user's, with its partner, and the IdP's second factor on it.
        var home = await portal.GetStringAsync("/");
        Assert.Contains("Dana Federated", home, StringComparison.Ordinal);
        var userInfo = await portal.GetAsync("/resources");
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task SecondSignIn_AfterTheProviderWasEdited_UpdatesNameAndRole_SameUser(DatabaseProvider database)
    {
        var app = apps.For(database);
        await using var flow = await FederationFlow.CreateAsync(app, d => [FederationFlow.Account("erik", $"erik@{d}", "Erik Old", ["staff"])]);
        Assert.Equal("/", await flow.SignInAsync(app.CreateBrowserClient(), flow.Email("erik"), "erik"));
        Guid userId;
        await using (var db = app.CreateDbContext())
        {
            userId = (await db.Users.SingleAsync(u => u.Email == flow.Email("erik"))).Id;
        }

        // A new IdP process (new issuer) with the same person renamed and made an admin: the provider row is
        // edited behind the app's back, as another node would, and the next sign-in must follow it.
        await flow.ReplaceIdpAsync([FederationFlow.Account("erik", flow.Email("erik"), "Erik New", ["staff", FederationFlow.AdminGroup])]);
        Assert.Equal("/", await flow.SignInAsync(app.CreateBrowserClient(), flow.Email("erik"), "erik"));

        await using (var db = app.CreateDbContext())
        {
            var user = await db.Users.SingleAsync(u => u.Email == flow.Email("erik"));
            Assert.Equal(userId, user.Id);
            Assert.Equal("Erik New", user.DisplayName);
            await using var scope = app.Services.CreateAsyncScope();
            Assert.Equal([Roles.PartnerAdmin], await scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>().GetRolesAsync(user));
            var updated = await db.AuditEvents.SingleAsync(e => e.Action == "user.updated" && e.TargetId == userId.ToString());
            Assert.Contains("Erik New", updated.Details!, StringComparison.Ordinal);
            Assert.Contains(Roles.PartnerAdmin, updated.Details!, StringComparison.Ordinal);
            Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "user.provisioned" && e.TargetId == userId.ToString()));
        }
    }

    [Fact]
    public async Task EmailOutsideThePartnersDomains_IsRefused_Audited_NoUser()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        var stranger = $"mallory@elsewhere-{Guid.NewGuid():N}.example";
        await using var flow = await FederationFlow.CreateAsync(app, _ => [FederationFlow.Account("mallory", stranger, "Mallory")]);
        var portal = app.CreateBrowserClient();

        // Discovery is by the e-mail typed here; the IdP then asserts another address.
        var landing = await FederationFlow.DeliverAsync(portal, await flow.LoginAtIdpAsync(await flow.StartAsync(portal, flow.Email("typed")), "mallory", "mallory-password"));

        Assert.Equal(FederationFlow.RefusedAt(FederatedSignInRefusal.EmailOutsidePartnerDomains), landing);
        Assert.Equal(1, await flow.RefusalsAsync(FederatedSignInRefusal.EmailOutsidePartnerDomains));
        await using var db = app.CreateDbContext();
        Assert.False(await db.Users.AnyAsync(u => u.Email == stranger));
        Assert.Equal(HttpStatusCode.Redirect, (await portal.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task ProviderOfPartnerA_AssertingPartnerBsDomain_IsRefused_EvenForBsExistingUser()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        await using var partnerB = await FederationFlow.CreateAsync(app, _ => []);
        var victim = await app.CreateUserAsync(Roles.PartnerAdmin, $"Federated partner {partnerB.Domain}", partnerB.Domain);
        await using var partnerA = await FederationFlow.CreateAsync(app, _ => [FederationFlow.Account("eve", victim, "Eve")]);
        var portal = app.CreateBrowserClient();

        var landing = await FederationFlow.DeliverAsync(portal, await partnerA.LoginAtIdpAsync(await partnerA.StartAsync(portal, partnerA.Email("eve")), "eve", "eve-password"));

        Assert.Equal(FederationFlow.RefusedAt(FederatedSignInRefusal.EmailOutsidePartnerDomains), landing);
        Assert.Equal(1, await partnerA.RefusalsAsync(FederatedSignInRefusal.EmailOutsidePartnerDomains));
        Assert.Equal(HttpStatusCode.Redirect, (await portal.GetAsync("/")).StatusCode);
        await using var db = app.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == victim);
        Assert.False(await db.UserLogins.AnyAsync(l => l.UserId == user.Id));
        Assert.False(await partnerA.AnyUserOfDomainAsync());
    }

    [Fact]
    public async Task IssuerOtherThanTheRegisteredAuthority_IsRefused()
    {
        var app = apps.For(DatabaseProvider.Sqlite);

        // Registered with a trailing slash; the IdP's tokens say iss without one. Discovery still works.
        await using var flow = await FederationFlow.CreateAsync(app, d => [FederationFlow.Account("ivan", $"ivan@{d}", "Ivan")], authority: issuer => issuer + "/");
        var portal = app.CreateBrowserClient();

        var landing = await flow.SignInAsync(portal, flow.Email("ivan"), "ivan");

        Assert.Equal(FederationFlow.RefusedAt(FederatedSignInRefusal.IssuerMismatch), landing);
        Assert.Equal(1, await flow.RefusalsAsync(FederatedSignInRefusal.IssuerMismatch));
        Assert.False(await flow.AnyUserOfDomainAsync());
    }

    [Fact]
    public async Task TamperedState_IsRefused()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        await using var flow = await FederationFlow.CreateAsync(app, d => [FederationFlow.Account("tina", $"tina@{d}", "Tina")]);
        var portal = app.CreateBrowserClient();
        var callback = await flow.LoginAtIdpAsync(await flow.StartAsync(portal, flow.Email("tina")), "tina", "tina-password");

        var tampered = new Uri(callback.ToString().Replace("state=", "state=X", StringComparison.Ordinal));
        var landing = await FederationFlow.DeliverAsync(portal, tampered);

        Assert.Equal(FederationFlow.RefusedAt(FederatedSignInRefusal.StateInvalid), landing);
        Assert.Equal(1, await flow.RefusalsAsync(FederatedSignInRefusal.StateInvalid));
        Assert.False(await flow.AnyUserOfDomainAsync());
    }

    [Fact]
    public async Task CodeOfOneSignIn_DeliveredWithAnotherSignInsState_IsRefused()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        await using var flow = await FederationFlow.CreateAsync(app, d =>
            [FederationFlow.Account("nina", $"nina@{d}", "Nina"), FederationFlow.Account("otto", $"otto@{d}", "Otto")]);

        // Two browsers: flow 1's code (nina) arrives in browser 2 with flow 2's state, nonce cookie and PKCE verifier.
        var browser1 = app.CreateBrowserClient();
        var browser2 = app.CreateBrowserClient();
        var callback1 = await flow.LoginAtIdpAsync(await flow.StartAsync(browser1, flow.Email("nina")), "nina", "nina-password");
        var callback2 = await flow.LoginAtIdpAsync(await flow.StartAsync(browser2, flow.Email("otto")), "otto", "otto-password");
        var code1 = System.Web.HttpUtility.ParseQueryString(callback1.Query)["code"]!;
        var state2 = System.Web.HttpUtility.ParseQueryString(callback2.Query)["state"]!;
        var mixed = new Uri($"{callback2.GetLeftPart(UriPartial.Path)}?code={Uri.EscapeDataString(code1)}&state={Uri.EscapeDataString(state2)}&iss={Uri.EscapeDataString(flow.Idp.Issuer)}");

        var landing = await FederationFlow.DeliverAsync(browser2, mixed);

        // The IdP refuses to redeem the code for another sign-in's PKCE verifier; had it not, the ID token's
        // nonce (flow 1's) would not match browser 2's nonce cookie.
        Assert.StartsWith("/account/signin?signin_error=", landing, StringComparison.Ordinal);
        Assert.Equal(1, await flow.RefusalsAsync(FederatedSignInRefusal.TokenRequestFailed) + await flow.RefusalsAsync(FederatedSignInRefusal.NonceInvalid));
        Assert.False(await flow.AnyUserOfDomainAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await browser2.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task MfaRequired_WithoutSecondFactor_IsRefused_SamePersonWithOtp_IsSignedInWithMfaClaim()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        await using var flow = await FederationFlow.CreateAsync(app, d =>
            [FederationFlow.Account("paula-pwd", $"paula@{d}", "Paula", amr: ["pwd"]), FederationFlow.Account("paula-otp", $"paula@{d}", "Paula", amr: ["pwd", "otp"])],
            mfa: new IdentityProviderMfaRequirement(true, []));

        var refused = await flow.SignInAsync(app.CreateBrowserClient(), flow.Email("paula"), "paula-pwd");

        Assert.Equal(FederationFlow.RefusedAt(FederatedSignInRefusal.MfaMissing), refused);
        Assert.Equal(1, await flow.RefusalsAsync(FederatedSignInRefusal.MfaMissing));
        Assert.False(await flow.AnyUserOfDomainAsync());

        var portal = app.CreateBrowserClient();
        Assert.Equal("/", await flow.SignInAsync(portal, flow.Email("paula"), "paula-otp"));
        await using var db = app.CreateDbContext();
        Assert.True(await db.Users.AnyAsync(u => u.Email == flow.Email("paula") && u.PartnerId == flow.PartnerId));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "account.signed_in" && e.Details!.Contains(flow.Email("paula")) && e.Details.Contains("\"mfa\":true")));
    }

    [Fact]
    public async Task MfaRequired_AcceptedAcrValue_CountsAsSecondFactor()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        await using var flow = await FederationFlow.CreateAsync(app, d =>
            [FederationFlow.Account("kim", $"kim@{d}", "Kim", amr: ["pwd"], acr: "urn:test:loa:mfa")],
            mfa: new IdentityProviderMfaRequirement(true, ["urn:test:loa:mfa"]));

        Assert.Equal("/", await flow.SignInAsync(app.CreateBrowserClient(), flow.Email("kim"), "kim"));
    }

    [Fact]
    public async Task DisabledProvider_DiscoveryRefusesWithMessage_AndACallbackUnderWayIsRefused()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        await using var flow = await FederationFlow.CreateAsync(app, d => [FederationFlow.Account("dora", $"dora@{d}", "Dora")]);
        var portal = app.CreateBrowserClient();
        var callback = await flow.LoginAtIdpAsync(await flow.StartAsync(portal, flow.Email("dora")), "dora", "dora-password");

        await flow.ChangeProviderAsync(p => p.Disable("Partner left the programme", DateTimeOffset.UtcNow));

        Assert.Equal(FederationFlow.RefusedAt(FederatedSignInRefusal.ProviderDisabled), await FederationFlow.DeliverAsync(portal, callback));
        var page = await FederationFlow.DiscoverAsync(app.CreateBrowserClient(), flow.Email("dora"));
        Assert.Contains("cannot sign in", page, StringComparison.Ordinal);
        Assert.Contains("contact", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http-equiv=\"refresh\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"Input.Password\"", page, StringComparison.Ordinal);
        var challenge = await app.CreateBrowserClient().GetAsync($"/account/signin/partner/{flow.ProviderId:N}");
        Assert.Equal(FederationFlow.RefusedAt(FederatedSignInRefusal.ProviderDisabled), HttpSignIn.SameOriginPath(challenge));
        Assert.Equal(1, await flow.RefusalsAsync(FederatedSignInRefusal.ProviderDisabled));
        Assert.False(await flow.AnyUserOfDomainAsync());
    }

    [Fact]
    public async Task SuspendedPartner_CannotSignIn()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        await using var flow = await FederationFlow.CreateAsync(app, d => [FederationFlow.Account("sam", $"sam@{d}", "Sam")]);
        var portal = app.CreateBrowserClient();
        var callback = await flow.LoginAtIdpAsync(await flow.StartAsync(portal, flow.Email("sam")), "sam", "sam-password");

        await flow.SuspendPartnerAsync();

        Assert.Equal(FederationFlow.RefusedAt(FederatedSignInRefusal.PartnerSuspended), await FederationFlow.DeliverAsync(portal, callback));
        var page = await FederationFlow.DiscoverAsync(app.CreateBrowserClient(), flow.Email("sam"));
        Assert.Contains("is suspended, so its members cannot sign in; contact", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http-equiv=\"refresh\"", page, StringComparison.Ordinal);
        Assert.Equal(1, await flow.RefusalsAsync(FederatedSignInRefusal.PartnerSuspended));
        Assert.False(await flow.AnyUserOfDomainAsync());
    }

    [Fact]
    public async Task LocalPassword_ForAFederatedDomain_IsRefused_EvenForAnExistingLocalAccount()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        await using var flow = await FederationFlow.CreateAsync(app, _ => []);
        var email = await app.CreateUserAsync(Roles.PartnerUser, $"Federated partner {flow.Domain}", flow.Domain);
        var portal = app.CreateBrowserClient();

        var response = await portal.PostSignInAsync(email, DemoDataSeeder.DemoPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(SignInPage.UseIdentityProviderMessage), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await portal.GetAsync("/")).StatusCode);
        await using var db = app.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "account.sign_in_refused" && e.Details!.Contains(email) && e.Details.Contains("federated_domain")));
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.Equal(0, user.AccessFailedCount);
    }

    [Fact]
    public async Task ExistingLocalUserOfThePartner_IsLinked_OnFirstFederatedSignIn()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        string? local = null;
        await using var flow = await FederationFlow.CreateAsync(app, d => [FederationFlow.Account("lena", local = $"lena@{d}", "Lena Linked")]);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>();
            var user = new PartnerGateUser { UserName = local, Email = local, DisplayName = "Lena Local", PartnerId = flow.PartnerId, LockoutEnabled = true };
            Assert.True((await users.CreateAsync(user, DemoDataSeeder.DemoPassword)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, Roles.PartnerUser)).Succeeded);
        }

        Assert.Equal("/", await flow.SignInAsync(app.CreateBrowserClient(), local!, "lena"));

        await using var db = app.CreateDbContext();
        var linked = await db.Users.SingleAsync(u => u.Email == local);
        Assert.Equal("Lena Linked", linked.DisplayName);
        Assert.True(await db.UserLogins.AnyAsync(l => l.UserId == linked.Id && l.ProviderKey == "lena"));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "user.linked" && e.TargetId == linked.Id.ToString()));
    }

    [Fact]
    public async Task ManufacturerStaffAndPartnersWithoutProvider_GetThePasswordStep_EmailPrefilled()
    {
        var app = apps.For(DatabaseProvider.Sqlite);

        foreach (var email in new[] { "approver@acme.example", "carol@fastfreight.example" })
        {
            var page = await FederationFlow.DiscoverAsync(app.CreateBrowserClient(), email);
            Assert.Contains("name=\"Input.Password\"", page, StringComparison.Ordinal);
            Assert.Contains($"value=\"{email}\"", page, StringComparison.Ordinal);
        }
    }
}
