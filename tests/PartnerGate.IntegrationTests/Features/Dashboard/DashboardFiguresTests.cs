using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Resources;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Dashboard;
using PartnerGate.Web.Features.Grants;
using static PartnerGate.IntegrationTests.Features.Dashboard.DashboardWorld;

namespace PartnerGate.IntegrationTests.Features.Dashboard;

/// <summary>
/// The dashboard's figures, exact, on SQLite and PostgreSQL: each on an app of its own on a fake clock, with the
/// edges of every window (age buckets, 24 hours, 7 UTC days, 30 days) placed on purpose. The lists the charts link
/// to must show exactly the items counted.
/// </summary>
public sealed class DashboardFiguresTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Dashboard_OnAFakeClock_CountsExactly_AndTheListsBehindItShowTheSameItems(DatabaseProvider provider)
    {
        _ = apps.For(provider);
        await using var world = await StartAsync(provider);
        var now = world.Now;
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);

        // Pending, one on each side of every bucket edge: ages 30 min | 1 h, 3 h 59 min | 4 h, 23 h | 24 h, 3 days.
        await world.PendingAsync(BoltNut, "purchase-orders", now.AddMinutes(-30), TimeSpan.FromHours(2));
        await world.PendingAsync(BoltNut, "quality-records", now.AddHours(-1), TimeSpan.FromHours(2));
        await world.PendingAsync(FastFreight, "inventory", now.AddHours(-4).AddMinutes(1), TimeSpan.FromHours(2));
        await world.PendingAsync(FastFreight, "purchase-orders", now.AddHours(-4), TimeSpan.FromHours(2));
        await world.PendingAsync(SensorTech, "inventory", now.AddHours(-23), TimeSpan.FromHours(2));
        await world.PendingAsync(SensorTech, "quality-records", now.AddHours(-24), TimeSpan.FromHours(2));
        await world.PendingAsync(BoltNut, "inventory", now.AddDays(-3), TimeSpan.FromHours(2));

        // Active grants ending in 30 min, 1 h (edge), 4 h (edge), 7 h, 24 h (edge), 71 h and 24 h 1 min.
        var started = now.AddHours(-1);
        var g1 = await world.GrantedAsync(BoltNut, "inventory", started, started, TimeSpan.FromMinutes(90));
        var g2 = await world.GrantedAsync(BoltNut, "purchase-orders", started, started, TimeSpan.FromHours(2));
        var g3 = await world.GrantedAsync(FastFreight, "quality-records", started, started, TimeSpan.FromHours(5));
        var g4 = await world.GrantedAsync(BoltNut, "line-telemetry", started, started, TimeSpan.FromHours(8));
        var g5 = await world.GrantedAsync(FastFreight, "inventory", started, started, TimeSpan.FromHours(25));
        var g6 = await world.GrantedAsync(BoltNut, "inventory", started, started, TimeSpan.FromHours(72));
        var g7 = await world.GrantedAsync(SensorTech, "purchase-orders", started, started, TimeSpan.FromHours(25).Add(TimeSpan.FromMinutes(1)));

        // Not active: scheduled to start in 2 hours; still "Active" in the table but past its end (the sweep is off).
        await world.GrantedAsync(BoltNut, "inventory", started, started, TimeSpan.FromHours(1), startsAt: now.AddHours(2));
        await world.GrantedAsync(BoltNut, "inventory", now.AddHours(-2), now.AddHours(-2), TimeSpan.FromMinutes(119));

        // Revoked at the first instant of the window, just before it, twice three days ago, at midnight today and a minute ago.
        var revokedAt = new[] { today.AddDays(-6), today.AddDays(-6).AddSeconds(-1), today.AddDays(-3).AddHours(10), today.AddDays(-2).AddSeconds(-1), today, now.AddMinutes(-1) };
        var revoked = new List<Guid>();
        foreach (var at in revokedAt)
        {
            var grant = await world.GrantedAsync(BoltNut, "inventory", now.AddDays(-8), now.AddDays(-8), TimeSpan.FromDays(20));
            await world.RevokeAsync(grant, at);
            revoked.Add(grant);
        }

        var figures = await DashboardAsync(world.App, "admin@acme.example");

        Assert.Equal(now, figures.At);
        Assert.Equal(7, figures.Pending.Count);
        Assert.Equal(now.AddDays(-3), figures.Pending.OldestSubmittedAt);
        Assert.Equal([(0, 1, 1), (1, 4, 2), (4, 24, 2), (24, null, 2)],
            figures.Pending.Buckets.Select(b => (b.MinHours, b.MaxHours, b.Count)));

        Assert.Equal([(Sensitivity.Low, 3), (Sensitivity.Medium, 3), (Sensitivity.High, 1), (Sensitivity.Critical, 0)],
            figures.ActiveBySensitivity.Select(s => (s.Sensitivity, s.Count)));
        Assert.Equal(7, figures.ActiveGrants);
        var boltNut = await world.PartnerIdAsync(BoltNut);
        var fastFreight = await world.PartnerIdAsync(FastFreight);
        var sensorTech = await world.PartnerIdAsync(SensorTech);
        Assert.Equal([(boltNut, "BoltNut Supply", 4), (fastFreight, "FastFreight Logistics", 2), (sensorTech, "SensorTech Services", 1)],
            figures.ActiveByPartner.Select(p => (p.PartnerId, p.PartnerName, p.Count)));

        Assert.Equal(24, figures.Expiring.WithinHours);
        Assert.Equal(5, figures.Expiring.Count);
        Assert.Equal([(0, 1, 2), (1, 4, 1), (4, 12, 1), (12, 24, 1)], figures.Expiring.Buckets.Select(b => (b.FromHours, b.ToHours, b.Count)));

        Assert.Equal(Enumerable.Range(-6, 7).Select(d => DateOnly.FromDateTime(today.AddDays(d).UtcDateTime)), figures.RevocationsByDay.Select(d => d.Day));
        Assert.Equal([1, 0, 0, 2, 0, 0, 2], figures.RevocationsByDay.Select(d => d.Count));

        // The lists behind the charts, as the administrator: exactly the counted grants.
        Assert.Equal(Set(g1, g2, g3, g4, g5, g6, g7), await GrantIdsAsync(world.App, "admin@acme.example", new ListGrantsQuery(Status: GrantStatus.Active)));
        Assert.Equal(Set(g2, g3, g7), await GrantIdsAsync(world.App, "admin@acme.example", new ListGrantsQuery(Status: GrantStatus.Active, Sensitivity: Sensitivity.Medium)));
        Assert.Equal(Set(g3, g5), await GrantIdsAsync(world.App, "admin@acme.example", new ListGrantsQuery(Status: GrantStatus.Active, PartnerId: fastFreight)));
        Assert.Equal(Set(g1, g2, g3, g4, g5), await GrantIdsAsync(world.App, "admin@acme.example", new ListGrantsQuery(ExpiresWithinHours: 24)));
        Assert.Equal(Set(g1, g2), await GrantIdsAsync(world.App, "admin@acme.example", new ListGrantsQuery(ExpiresWithinHours: 1)));
        Assert.Equal(Set([.. revoked.Where((_, i) => i != 1)]),
            await GrantIdsAsync(world.App, "admin@acme.example", new ListGrantsQuery(Status: GrantStatus.Revoked, RevokedWithinDays: 7)));

        // Inside the visibility rules: a partner's filter naming another partner finds nothing.
        Assert.Empty(await GrantIdsAsync(world.App, FastFreight, new ListGrantsQuery(Status: GrantStatus.Active, PartnerId: boltNut)));
        Assert.Equal(Set(g3, g5), await GrantIdsAsync(world.App, FastFreight, new ListGrantsQuery(Status: GrantStatus.Active, PartnerId: fastFreight)));
        Assert.Equal(Set(g3, g5), await GrantIdsAsync(world.App, FastFreight, new ListGrantsQuery(Status: GrantStatus.Active)));
        Assert.Equal(Set(g1, g2, g4, g6), await GrantIdsAsync(world.App, BoltNut, new ListGrantsQuery(Status: GrantStatus.Active)));
        Assert.Empty(await GrantIdsAsync(world.App, BoltNut, new ListGrantsQuery(Status: GrantStatus.Active, PartnerId: fastFreight)));

        // The inbox behind the pending chart: every pending request by age; an approver's own inbox by age.
        Assert.Equal(7, await InboxTotalAsync(world.App, "admin@acme.example", new GetApprovalInboxQuery(AllPending: true)));
        foreach (var bucket in figures.Pending.Buckets)
        {
            Assert.Equal(bucket.Count, await InboxTotalAsync(world.App, "admin@acme.example", new GetApprovalInboxQuery(AllPending: true, MinAgeHours: bucket.MinHours, MaxAgeHours: bucket.MaxHours)));
        }

        Assert.Equal(2, await InboxTotalAsync(world.App, "approver@acme.example", new GetApprovalInboxQuery(MinAgeHours: 24)));
        Assert.Equal(0, await InboxTotalAsync(world.App, "admin@acme.example", new GetApprovalInboxQuery()));
        Assert.Equal(3, await InboxTotalAsync(world.App, "admin@acme.example", new GetApprovalInboxQuery(PartnerId: boltNut, AllPending: true)));

        // Sixty days on, every window has moved past all of it: empty figures, and the median of nothing is none.
        await world.CancelAllPendingAsync(now);
        world.Clock.Advance(TimeSpan.FromDays(60));
        now = world.Now;
        today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var empty = await DashboardAsync(world.App, "approver@acme.example");
        Assert.Equal(0, empty.Pending.Count);
        Assert.Null(empty.Pending.OldestSubmittedAt);
        Assert.All(empty.Pending.Buckets, b => Assert.Equal(0, b.Count));
        Assert.Equal(new DecisionFigures(30, 0, null), empty.Decisions);
        Assert.All(empty.ActiveBySensitivity, s => Assert.Equal(0, s.Count));
        Assert.Equal(4, empty.ActiveBySensitivity.Count);
        Assert.Empty(empty.ActiveByPartner);
        Assert.Equal(0, empty.Expiring.Count);
        Assert.Equal(4, empty.Expiring.Buckets.Count);
        Assert.Equal(7, empty.RevocationsByDay.Count);
        Assert.Equal(DateOnly.FromDateTime(now.UtcDateTime), empty.RevocationsByDay[^1].Day);
        Assert.All(empty.RevocationsByDay, d => Assert.Equal(0, d.Count));

        // Odd: 2 h, 30 min and 6 h → 2 h. Left out: automatic, cancelled, and decided exactly 30 days ago.
        await world.GrantedAsync(BoltNut, "inventory", now.AddDays(-10), now.AddDays(-10).AddHours(2), TimeSpan.FromHours(2));
        await world.DeniedAsync(FastFreight, "purchase-orders", now.AddDays(-5), now.AddDays(-5).AddMinutes(30));
        await world.GrantedAsync(SensorTech, "inventory", now.AddDays(-2), now.AddDays(-2).AddHours(6), TimeSpan.FromHours(2));
        await world.AutoApprovedAsync(BoltNut, now.AddDays(-1));
        await world.CancelledAsync(FastFreight, "inventory", now.AddDays(-3).AddHours(-1), now.AddDays(-3));
        await world.GrantedAsync(BoltNut, "quality-records", now.AddDays(-30).AddHours(-3), now.AddDays(-30), TimeSpan.FromHours(2));
        Assert.Equal(new DecisionFigures(30, 3, TimeSpan.FromHours(2)), (await DashboardAsync(world.App, "admin@acme.example")).Decisions);

        // Even: 30 min, 2 h, 4 h, 6 h → the mean of the middle two, 3 h.
        await world.GrantedAsync(BoltNut, "quality-records", now.AddDays(-1), now.AddDays(-1).AddHours(4), TimeSpan.FromHours(2));
        Assert.Equal(new DecisionFigures(30, 4, TimeSpan.FromHours(3)), (await DashboardAsync(world.App, "admin@acme.example")).Decisions);
    }

    [Theory]
    [InlineData("bob@boltnut.example")]
    [InlineData("alice@boltnut.example")]
    [InlineData(null)]
    public async Task Dashboard_PartnerMembersAndAnonymous_AreRefused(string? email)
    {
        var result = await sqlite.SendAsync<Result<DashboardFigures>>(new GetDashboardQuery(), email);

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }

    [Fact]
    public async Task ListFilters_OutOfRange_AreValidationMessages()
    {
        var grants = await sqlite.SendAsync<Result<IReadOnlyList<GrantSummary>>>(new ListGrantsQuery(ExpiresWithinHours: 0, RevokedWithinDays: 91), "admin@acme.example");
        var inbox = await sqlite.SendAsync<Result<InboxPage>>(new GetApprovalInboxQuery(MinAgeHours: 4, MaxAgeHours: 1), "admin@acme.example");

        Assert.Equal(ErrorKind.Validation, grants.Error!.Kind);
        Assert.Contains("1 to 720 hours", grants.Error.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 90 days", grants.Error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Validation, inbox.Error!.Kind);
        Assert.Contains("greater than the minimum age", inbox.Error.Message, StringComparison.Ordinal);
    }

    private static HashSet<Guid> Set(params Guid[] ids) => [.. ids];

    private static async Task<DashboardFigures> DashboardAsync(PartnerGateAppFactory app, string email)
    {
        var result = await app.SendAsync<Result<DashboardFigures>>(new GetDashboardQuery(), email);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    private static async Task<HashSet<Guid>> GrantIdsAsync(PartnerGateAppFactory app, string email, ListGrantsQuery query)
    {
        var result = await app.SendAsync<Result<IReadOnlyList<GrantSummary>>>(query, email);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return [.. result.Value.Select(g => g.Id)];
    }

    private static async Task<int> InboxTotalAsync(PartnerGateAppFactory app, string email, GetApprovalInboxQuery query)
    {
        var result = await app.SendAsync<Result<InboxPage>>(query, email);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value.Total;
    }
}
