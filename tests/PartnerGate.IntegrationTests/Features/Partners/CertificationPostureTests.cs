using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Features.KillSwitches;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Features.Partners;

namespace PartnerGate.IntegrationTests.Features.Partners;

/// <summary>
/// Invariant 8 with a fake clock: line-telemetry requires TISAX; when the partner's TISAX lapses the sweep suspends its
/// grants there (tokens refused at once, no new requests or approvals), and a renewal resumes them within their window.
/// </summary>
public sealed class CertificationPostureTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(8);

    private sealed class World : IAsyncDisposable
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
        public PartnerGateAppFactory App { get; private set; } = null!;

        public static async Task<World> StartAsync(DatabaseProvider provider)
        {
            Assert.SkipWhen(provider == DatabaseProvider.PostgreSql && !PartnerGateAppFactory.PostgresAvailable, "PostgreSQL not configured.");
            var world = new World();
            world.App = new PartnerGateAppFactory(provider,
                extraSettings: new Dictionary<string, string?> { ["Sweep:Enabled"] = "false" },
                configureServices: services => services.AddSingleton<TimeProvider>(world.Clock));
            await world.App.InitializeAsync();
            return world;
        }

        public Task<bool> SweepAsync() => App.Services.GetRequiredService<AccessSweepService>().SweepOnceAsync(TimeSpan.FromSeconds(15), CancellationToken.None);

        public Task<Result<CertificationRenewal>> RenewAsync(TestPartner partner, TimeSpan validFor) =>
            App.SendAsync<Result<CertificationRenewal>>(new RenewCertificationCommand(partner.Id, "TISAX", Clock.GetUtcNow() + validFor), KillSwitchWorld.Administrator);

        public async Task<Grant> GrantAsync(Guid id)
        {
            await using var db = App.CreateDbContext();
            return await db.Grants.AsNoTracking().SingleAsync(g => g.Id == id);
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task LapsedCertification_SuspendsGrant_TokenInactive_RequestsAndApprovalsRefused_RenewalResumesAtOnce(DatabaseProvider provider)
    {
        await using var world = await World.StartAsync(provider);
        var app = world.App;
        var partner = await app.NewTestPartnerAsync(tisaxValidUntil: world.Clock.GetUtcNow().AddHours(1));
        var client = await app.NewClientAsync(partner, "line-telemetry", "telemetry.read", Window);
        var bystander = await app.NewClientAsync(partner, "purchase-orders", "orders.read");
        var pending = await app.SubmittedAsync(partner.AdminEmail, "line-telemetry", "telemetry.read", TimeSpan.FromHours(2), multiFactorSession: true);
        var http = app.CreateClient();

        world.Clock.Advance(TimeSpan.FromMinutes(59));
        var token = await http.AccessTokenAsync(client, "telemetry.read");
        Assert.True(await app.IsActiveAtIntrospectionAsync(token));

        world.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await world.SweepAsync());

        var suspended = await world.GrantAsync(client.GrantIds[0]);
        Assert.Equal(GrantStatus.Suspended, suspended.Status);
        Assert.StartsWith(Grant.PostureReasonPrefix + "TISAX lapsed on", suspended.StatusReason, StringComparison.Ordinal);
        Assert.Equal(GrantStatus.Active, (await world.GrantAsync(bystander.GrantIds[0])).Status);
        Assert.False(await app.IsActiveAtIntrospectionAsync(token));
        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.GrantSuspended, client.GrantIds[0].ToString()));
        Assert.Single(await app.AuditDetailsAsync("grant.suspended", client.GrantIds[0].ToString()));
        using (var refusedToken = await http.RequestTokenAsync(client.ClientId, client.Secret, "telemetry.read"))
        {
            Assert.False(refusedToken.IsSuccessStatusCode);
        }

        var refusedRequest = await app.RequestAsync(partner.AdminEmail, "line-telemetry", ["telemetry.read"], TimeSpan.FromHours(2), multiFactorSession: true);
        Assert.Equal("request.certification_missing", refusedRequest.Error!.Code);
        var refusedApproval = await app.ApproveAsync(KillSwitchWorld.Approver, pending);
        Assert.Equal("request.certification_missing", refusedApproval.Error!.Code);

        // A second sweep does not suspend (or audit) it again.
        await world.SweepAsync();
        Assert.Single(await app.AuditDetailsAsync("grant.suspended", client.GrantIds[0].ToString()));

        var renewal = await world.RenewAsync(partner, TimeSpan.FromDays(365));

        Assert.True(renewal.IsSuccess, renewal.Error?.Message);
        Assert.Equal(new CertificationRenewal(1, 0), renewal.Value);
        Assert.Equal(GrantStatus.Active, (await world.GrantAsync(client.GrantIds[0])).Status);
        Assert.True(await app.IsActiveAtIntrospectionAsync(token));
        Assert.True(await app.IsActiveAtIntrospectionAsync(await http.AccessTokenAsync(client, "telemetry.read")));
        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.GrantResumed, client.GrantIds[0].ToString()));
        Assert.Single(await app.AuditDetailsAsync("grant.resumed", client.GrantIds[0].ToString()));
        Assert.Single(await app.AuditDetailsAsync("partner.certification_renewed", partner.Id.ToString()));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RenewalAfterTheWindow_ExpiresTheGrant_AndOtherSuspensionsAreLeftAlone(DatabaseProvider provider)
    {
        await using var world = await World.StartAsync(provider);
        var app = world.App;
        var partner = await app.NewTestPartnerAsync(tisaxValidUntil: world.Clock.GetUtcNow().AddHours(1));
        var client = await app.NewClientAsync(partner, "line-telemetry", "telemetry.read", Window);
        var heldBack = await app.NewClientAsync(partner, "line-telemetry", "telemetry.read", Window);
        await using (var db = app.CreateDbContext())
        {
            var grant = await db.Grants.SingleAsync(g => g.Id == heldBack.GrantIds[0]);
            Assert.True(grant.Suspend("Held for an investigation.").IsSuccess);
            await db.SaveChangesAsync();
        }

        world.Clock.Advance(TimeSpan.FromHours(2));
        await world.SweepAsync();
        Assert.Equal(GrantStatus.Suspended, (await world.GrantAsync(client.GrantIds[0])).Status);
        Assert.Equal("Held for an investigation.", (await world.GrantAsync(heldBack.GrantIds[0])).StatusReason);

        world.Clock.Advance(Window);
        var renewal = await world.RenewAsync(partner, TimeSpan.FromDays(365));

        Assert.Equal(new CertificationRenewal(0, 1), renewal.Value);
        Assert.Equal(GrantStatus.Expired, (await world.GrantAsync(client.GrantIds[0])).Status);
        Assert.Equal(0, await app.SecurityEventsAsync(SecurityEventKind.GrantResumed, client.GrantIds[0].ToString()));
        var other = await world.GrantAsync(heldBack.GrantIds[0]);
        Assert.Equal((GrantStatus.Suspended, "Held for an investigation."), (other.Status, other.StatusReason));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Renewal_InThePast_OrByApprover_IsRefused(DatabaseProvider provider)
    {
        await using var world = await World.StartAsync(provider);
        var partner = await world.App.NewTestPartnerAsync();

        var past = await world.RenewAsync(partner, TimeSpan.FromDays(-1));
        var byApprover = await world.App.SendAsync<Result<CertificationRenewal>>(
            new RenewCertificationCommand(partner.Id, "TISAX", world.Clock.GetUtcNow().AddDays(30)), KillSwitchWorld.Approver);
        var noName = await world.App.SendAsync<Result<CertificationRenewal>>(
            new RenewCertificationCommand(partner.Id, " ", world.Clock.GetUtcNow().AddDays(30)), KillSwitchWorld.Administrator);

        Assert.Equal(ErrorKind.Validation, past.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, byApprover.Error!.Kind);
        Assert.Equal(ErrorKind.Validation, noName.Error!.Kind);
    }
}
