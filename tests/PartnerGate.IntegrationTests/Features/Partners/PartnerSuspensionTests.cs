using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Features.KillSwitches;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.Partners;

namespace PartnerGate.IntegrationTests.Features.Partners;

/// <summary>Suspending a partner ends its tokens, token issuance, sign-in and sessions at once (invariant 5); reinstating restores its grants' tokens.</summary>
public sealed class PartnerSuspensionTests(IsolatedApps apps) : IClassFixture<IsolatedApps>
{
    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Suspend_TokensInactiveAtOnce_NoNewTokens_NoSignIn_SessionsEnd_AndTheFeedSaysSo(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var other = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);
        var otherClient = await app.NewClientAsync(other);
        var user = await app.CreateUserAsync(Roles.PartnerUser, partner.Name, partner.Domain);
        var browser = await app.SignedInClientAsync(user);
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(client, "orders.read");
        var otherToken = await http.AccessTokenAsync(otherClient, "orders.read");

        var suspended = await app.SendAsync<Result>(new SuspendPartnerCommand(partner.Id, "Security incident at the partner."), KillSwitchWorld.Administrator);

        Assert.True(suspended.IsSuccess, suspended.Error?.Message);
        Assert.False(await app.IsActiveAtIntrospectionAsync(token));
        Assert.True(await app.IsActiveAtIntrospectionAsync(otherToken));
        using (var refused = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read"))
        {
            Assert.False(refused.IsSuccessStatusCode);
        }

        Assert.False(await browser.SessionWorksAsync());
        using (var signIn = await app.CreateBrowserClient().PostSignInAsync(user, DemoDataSeeder.DemoPassword))
        {
            Assert.NotEqual(System.Net.HttpStatusCode.Redirect, signIn.StatusCode);
        }

        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.PartnerSuspended, partner.Id.ToString()));
        Assert.Contains("Security incident", Assert.Single(await app.AuditDetailsAsync("partner.suspended", partner.Id.ToString())), StringComparison.Ordinal);
        Assert.Equal("Active", await app.GrantStatusAsync(client.GrantIds[0]));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Reinstate_TokensWorkAgain_NewTokensAreIssued_AndItIsAuditedAndOnTheFeed(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(client, "orders.read");
        await app.SendAsync<Result>(new SuspendPartnerCommand(partner.Id, "Contract under review."), KillSwitchWorld.Administrator);
        Assert.False(await app.IsActiveAtIntrospectionAsync(token));

        var reinstated = await app.SendAsync<Result>(new ReinstatePartnerCommand(partner.Id), KillSwitchWorld.Administrator);

        Assert.True(reinstated.IsSuccess, reinstated.Error?.Message);
        Assert.True(await app.IsActiveAtIntrospectionAsync(token));
        Assert.True(await app.IsActiveAtIntrospectionAsync(await http.AccessTokenAsync(client, "orders.read")));
        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.PartnerReinstated, partner.Id.ToString()));
        Assert.Single(await app.AuditDetailsAsync("partner.reinstated", partner.Id.ToString()));
        var again = await app.SendAsync<Result>(new ReinstatePartnerCommand(partner.Id), KillSwitchWorld.Administrator);
        Assert.Equal(ErrorKind.Conflict, again.Error!.Kind);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Suspend_ByApproverOrPartnerAdmin_IsForbidden_WithoutReason_IsAValidationError_NothingChanges(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();

        var byApprover = await app.SendAsync<Result>(new SuspendPartnerCommand(partner.Id, "Because."), KillSwitchWorld.Approver);
        var byPartnerAdmin = await app.SendAsync<Result>(new SuspendPartnerCommand(partner.Id, "Because."), partner.AdminEmail);
        var noReason = await app.SendAsync<Result>(new SuspendPartnerCommand(partner.Id, " "), KillSwitchWorld.Administrator);

        Assert.Equal(ErrorKind.Forbidden, byApprover.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, byPartnerAdmin.Error!.Kind);
        Assert.Equal(ErrorKind.Validation, noReason.Error!.Kind);
        await using var db = app.CreateDbContext();
        Assert.Equal(PartnerStatus.Active, (await db.Partners.AsNoTracking().SingleAsync(p => p.Id == partner.Id)).Status);
        Assert.Equal(0, await app.SecurityEventsAsync(SecurityEventKind.PartnerSuspended, partner.Id.ToString()));
    }
}
