using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.KillSwitches;

namespace PartnerGate.IntegrationTests.Features.KillSwitches;

/// <summary>Invariant 5 for each kill switch, over real HTTP on SQLite and PostgreSQL: grants revoked, feed and audit written, tokens dead at once.</summary>
public sealed class KillSwitchTests(IsolatedApps apps) : IClassFixture<IsolatedApps>
{
    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ClientKillSwitch_RevokesItsGrants_TokenInactiveAtOnce_OtherClientsUntouched(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var target = await app.NewClientAsync(partner);
        var bystander = await app.NewClientAsync(partner);
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(target, "orders.read");
        var bystanderToken = await http.AccessTokenAsync(bystander, "orders.read");
        Assert.True(await app.IsActiveAtIntrospectionAsync(token));

        var outcome = await app.KillAsync(KillSwitchKind.Client, target.ClientId);

        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        Assert.Equal(1, outcome.Value.GrantsRevoked);
        Assert.False(await app.IsActiveAtIntrospectionAsync(token));
        Assert.True(await app.IsActiveAtIntrospectionAsync(bystanderToken));
        Assert.Equal("Revoked", await app.GrantStatusAsync(target.GrantIds[0]));
        Assert.Equal("Active", await app.GrantStatusAsync(bystander.GrantIds[0]));
        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.GrantRevoked, target.GrantIds[0].ToString()));
        Assert.Contains("killswitch.client", Assert.Single(await app.AuditDetailsAsync("grant.revoked", target.GrantIds[0].ToString())), StringComparison.Ordinal);
        var summary = Assert.Single(await app.AuditDetailsAsync("killswitch.client", target.ClientId));
        Assert.Contains(KillSwitchWorld.Reason, summary, StringComparison.Ordinal);
        Assert.Contains("\"grantsRevoked\":1", summary, StringComparison.Ordinal);

        using var refused = await http.RequestTokenAsync(target.ClientId, target.Secret, "orders.read");
        Assert.False(refused.IsSuccessStatusCode);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PartnerKillSwitch_RevokesAllItsGrants_DeniesPendingRequests_OtherPartnersUntouched(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var other = await app.NewTestPartnerAsync();
        var first = await app.NewClientAsync(partner);
        var second = await app.NewClientAsync(partner, "inventory", "inventory.read");
        var untouched = await app.NewClientAsync(other);
        var pending = await app.SubmittedAsync(partner.AdminEmail, "purchase-orders", "orders.read", TimeSpan.FromDays(1));
        var otherPending = await app.SubmittedAsync(other.AdminEmail, "purchase-orders", "orders.read", TimeSpan.FromDays(1));
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(second, "inventory.read");
        var untouchedToken = await http.AccessTokenAsync(untouched, "orders.read");

        var outcome = await app.KillAsync(KillSwitchKind.Partner, partner.Id.ToString());

        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        Assert.Equal((2, 1), (outcome.Value.GrantsRevoked, outcome.Value.RequestsDenied));
        Assert.False(await app.IsActiveAtIntrospectionAsync(token));
        Assert.True(await app.IsActiveAtIntrospectionAsync(untouchedToken));
        Assert.Equal(["Revoked", "Revoked", "Active"],
            [await app.GrantStatusAsync(first.GrantIds[0]), await app.GrantStatusAsync(second.GrantIds[0]), await app.GrantStatusAsync(untouched.GrantIds[0])]);
        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.GrantRevoked, first.GrantIds[0].ToString()));
        Assert.Equal(0, await app.SecurityEventsAsync(SecurityEventKind.GrantRevoked, untouched.GrantIds[0].ToString()));
        await using var db = app.CreateDbContext();
        var request = await db.AccessRequests.Include(r => r.Decisions).AsNoTracking().SingleAsync(r => r.Id == pending);
        Assert.Equal(AccessRequestStatus.Denied, request.Status);
        Assert.Equal(KillSwitchWorld.Reason, Assert.Single(request.Decisions).Comment);
        Assert.Equal(AccessRequestStatus.Pending, (await db.AccessRequests.AsNoTracking().SingleAsync(r => r.Id == otherPending)).Status);
        Assert.Single(await app.AuditDetailsAsync("killswitch.partner", partner.Id.ToString()));
        Assert.Contains("killswitch.partner", Assert.Single(await app.AuditDetailsAsync("request.denied", pending.ToString())), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ResourceKillSwitch_RevokesEveryGrantOnIt_GrantsOnOtherResourcesUntouched(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var one = await app.NewTestPartnerAsync();
        var two = await app.NewTestPartnerAsync();
        var onQuality = await app.NewClientAsync(one, "quality-records", "quality.read");
        var alsoOnQuality = await app.NewClientAsync(two, "quality-records", "quality.read");
        var onOrders = await app.NewClientAsync(two);
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(alsoOnQuality, "quality.read");
        var ordersToken = await http.AccessTokenAsync(onOrders, "orders.read");
        var resourceId = await app.ResourceIdAsync("quality-records");

        var outcome = await app.KillAsync(KillSwitchKind.Resource, resourceId.ToString());

        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        Assert.Equal("Revoked", await app.GrantStatusAsync(onQuality.GrantIds[0]));
        Assert.Equal("Revoked", await app.GrantStatusAsync(alsoOnQuality.GrantIds[0]));
        Assert.Equal("Active", await app.GrantStatusAsync(onOrders.GrantIds[0]));
        Assert.False(await app.IsActiveAtIntrospectionAsync(token));
        Assert.True(await app.IsActiveAtIntrospectionAsync(ordersToken));
        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.GrantRevoked, alsoOnQuality.GrantIds[0].ToString()));
        Assert.Single(await app.AuditDetailsAsync("killswitch.resource", resourceId.ToString()));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task UserKillSwitch_RevokesTheirGrants_AndEndsTheirPortalSessionAtOnce(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var user = await app.CreateUserAsync(Roles.PartnerUser, partner.Name, partner.Domain);
        var colleague = await app.CreateUserAsync(Roles.PartnerUser, partner.Name, partner.Domain);
        var granted = await app.RequestAsync(user, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(4));
        var colleagueGranted = await app.RequestAsync(colleague, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(4));
        var browser = await app.SignedInClientAsync(user);
        var colleagueBrowser = await app.SignedInClientAsync(colleague);
        Assert.True(await browser.SessionWorksAsync());
        var userId = await app.UserIdAsync(user);

        var outcome = await app.KillAsync(KillSwitchKind.User, userId.ToString());

        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        Assert.True(outcome.Value.SessionsEnded);
        Assert.Equal(1, outcome.Value.GrantsRevoked);
        Assert.False(await browser.SessionWorksAsync());
        Assert.True(await colleagueBrowser.SessionWorksAsync());
        Assert.Equal("Revoked", await app.GrantStatusAsync(granted.Value.GrantId!.Value));
        Assert.Equal("Active", await app.GrantStatusAsync(colleagueGranted.Value.GrantId!.Value));
        Assert.Single(await app.AuditDetailsAsync("killswitch.user", userId.ToString()));

        // The user signs in again afterwards (the switch ends sessions, it does not lock the account) and gets a working session.
        var again = await app.SignedInClientAsync(user);
        Assert.True(await again.SessionWorksAsync());
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task UserKillSwitch_SignsOutTheirOpenCircuit_AtTheNextRevalidation(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var user = await app.CreateUserAsync(Roles.PartnerUser, partner.Name, partner.Domain);
        await using var circuit = app.Services.CreateAsyncScope();
        var authentication = circuit.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        ((IHostEnvironmentAuthenticationStateProvider)authentication).SetAuthenticationState(
            Task.FromResult(new AuthenticationState(await app.PrincipalForAsync(circuit.ServiceProvider, user))));
        var signedOut = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        authentication.AuthenticationStateChanged += async state => signedOut.TrySetResult((await state).User.Identity?.IsAuthenticated != true);

        // Still signed in across a revalidation (the default interval is one second).
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        Assert.False(signedOut.Task.IsCompleted);
        Assert.True((await authentication.GetAuthenticationStateAsync()).User.Identity!.IsAuthenticated);

        await app.KillAsync(KillSwitchKind.User, (await app.UserIdAsync(user)).ToString());

        Assert.True(await signedOut.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.False((await authentication.GetAuthenticationStateAsync()).User.Identity?.IsAuthenticated ?? false);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task KillSwitch_ByApproverOrPartnerAdmin_IsForbidden_AndChangesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);

        var byApprover = await app.KillAsync(KillSwitchKind.Partner, partner.Id.ToString(), asEmail: KillSwitchWorld.Approver);
        var byPartnerAdmin = await app.KillAsync(KillSwitchKind.Client, client.ClientId, asEmail: partner.AdminEmail);
        var preview = await app.SendAsync<Result<KillSwitchPreview>>(new PreviewKillSwitchQuery(KillSwitchKind.Partner, partner.Id.ToString()), partner.AdminEmail);

        Assert.Equal(ErrorKind.Forbidden, byApprover.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, byPartnerAdmin.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, preview.Error!.Kind);
        Assert.Equal("Active", await app.GrantStatusAsync(client.GrantIds[0]));
        Assert.Empty(await app.AuditDetailsAsync("killswitch.partner", partner.Id.ToString()));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task KillSwitch_WithoutReasonOrTarget_IsAValidationError_AndChangesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);

        var noReason = await app.KillAsync(KillSwitchKind.Client, client.ClientId, reason: "   ");
        var noTarget = await app.KillAsync(KillSwitchKind.Partner, null);
        var unknown = await app.KillAsync(KillSwitchKind.Partner, Guid.NewGuid().ToString());

        Assert.Equal(ErrorKind.Validation, noReason.Error!.Kind);
        Assert.Contains("Say why", noReason.Error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Validation, noTarget.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, unknown.Error!.Kind);
        Assert.Equal("Active", await app.GrantStatusAsync(client.GrantIds[0]));
        Assert.Equal(0, await app.SecurityEventsAsync(SecurityEventKind.GrantRevoked, client.GrantIds[0].ToString()));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Preview_CountsExactlyWhatTheSwitchThenEnds(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        await app.NewClientAsync(partner);
        await app.NewClientAsync(partner, "inventory", "inventory.read");
        await app.SubmittedAsync(partner.AdminEmail, "purchase-orders", "orders.read", TimeSpan.FromDays(1));

        var preview = await app.SendAsync<Result<KillSwitchPreview>>(new PreviewKillSwitchQuery(KillSwitchKind.Partner, partner.Id.ToString()), KillSwitchWorld.Administrator);
        var outcome = await app.KillAsync(KillSwitchKind.Partner, partner.Id.ToString());
        var after = await app.SendAsync<Result<KillSwitchPreview>>(new PreviewKillSwitchQuery(KillSwitchKind.Partner, partner.Id.ToString()), KillSwitchWorld.Administrator);

        Assert.Equal((partner.Name, 2, 1), (preview.Value.TargetName, preview.Value.Grants, preview.Value.PendingRequests));
        Assert.Equal((2, 1), (outcome.Value.GrantsRevoked, outcome.Value.RequestsDenied));
        Assert.Equal((0, 0), (after.Value.Grants, after.Value.PendingRequests));
    }
}
