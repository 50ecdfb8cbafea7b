using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Grants;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Grants;

namespace PartnerGate.IntegrationTests.Features.Grants;

/// <summary>Expiry and activation driven by a fake clock: time is moved, never waited for.</summary>
public sealed class AccessSweepTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly PartnerGateAppFactory app;

    public AccessSweepTests()
    {
        app = new PartnerGateAppFactory(DatabaseProvider.Sqlite,
            extraSettings: new Dictionary<string, string?> { ["Sweep:Enabled"] = "false" },
            configureServices: services => services.AddSingleton<TimeProvider>(clock));
    }

    public ValueTask InitializeAsync() => app.InitializeAsync();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private Task<bool> SweepAsync() => app.Services.GetRequiredService<AccessSweepService>().SweepOnceAsync(TimeSpan.FromSeconds(15), CancellationToken.None);

    private async Task<Grant> GrantAsync(Guid id)
    {
        await using var db = app.CreateDbContext();
        return await db.Grants.SingleAsync(g => g.Id == id);
    }

    [Fact]
    public async Task Grant_ExpiresAtNotAfter_NotBefore_AndTheExpiryIsAudited()
    {
        var bob = await app.NewBoltNutUserAsync();
        var outcome = await app.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(2));
        var grantId = outcome.Value.GrantId!.Value;

        clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromMinutes(1));
        await SweepAsync();
        Assert.Equal(GrantStatus.Active, (await GrantAsync(grantId)).Status);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await SweepAsync());
        Assert.Equal(GrantStatus.Expired, (await GrantAsync(grantId)).Status);
        await using var db = app.CreateDbContext();
        var expiry = await db.AuditEvents.SingleAsync(e => e.TargetId == grantId.ToString() && e.Action == "grant.expired");
        Assert.Equal("system", expiry.ActorId);
    }

    [Fact]
    public async Task ScheduledGrant_ActivatesWhenItsWindowOpens()
    {
        var bob = await app.NewBoltNutUserAsync();
        var outcome = await app.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(1), clock.GetUtcNow().AddDays(1));
        var grantId = outcome.Value.GrantId!.Value;
        Assert.Equal(GrantStatus.Scheduled, (await GrantAsync(grantId)).Status);

        clock.Advance(TimeSpan.FromDays(1));
        await SweepAsync();

        Assert.Equal(GrantStatus.Active, (await GrantAsync(grantId)).Status);
    }

    [Fact]
    public async Task PendingRequest_ExpiresAfterTheDecisionWindow_AndCanNoLongerBeApproved()
    {
        var bob = await app.NewBoltNutUserAsync();
        var requestId = await app.SubmittedAsync(bob, "inventory", "inventory.read", TimeSpan.FromDays(1), clock.GetUtcNow().AddDays(10));

        clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var late = await app.ApproveAsync("approver@acme.example", requestId);
        await SweepAsync();

        Assert.Equal("request.decision_window_passed", late.Error!.Code);
        await using var db = app.CreateDbContext();
        Assert.Equal(AccessRequestStatus.Expired, (await db.AccessRequests.SingleAsync(r => r.Id == requestId)).Status);
    }

    [Fact]
    public async Task GrantEndingWithinTheHour_GetsOneExpiryNotice()
    {
        var bob = await app.NewBoltNutUserAsync();
        var outcome = await app.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(3));
        var grantId = outcome.Value.GrantId!.Value;

        clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        Assert.Null((await GrantAsync(grantId)).ExpiryNoticeSentAt);

        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5));
        await SweepAsync();
        var noticed = (await GrantAsync(grantId)).ExpiryNoticeSentAt;
        Assert.NotNull(noticed);
        Assert.True((clock.GetUtcNow() - noticed.Value).Duration() < TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromMinutes(10));
        await SweepAsync();
        Assert.Equal(noticed, (await GrantAsync(grantId)).ExpiryNoticeSentAt);
    }

    [Fact]
    public async Task Lease_HeldByAnotherNode_ThisNodeDoesNotSweep()
    {
        await using (var db = app.CreateDbContext())
        {
            await db.SweepLeases.Where(l => l.Name == PartnerGate.Data.Configurations.SweepLeaseConfiguration.AccessSweep)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, "other-node").SetProperty(l => l.ExpiresAt, clock.GetUtcNow().AddMinutes(1)));
        }

        Assert.False(await SweepAsync());
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await SweepAsync());
    }
}
