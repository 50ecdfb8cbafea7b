using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Home;

namespace PartnerGate.IntegrationTests.Features.Home;

/// <summary>Invariant 4 for the home figures: each role counts only what it may see, on SQLite and PostgreSQL.</summary>
public sealed class HomeFiguresTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task HomeFigures_EachRole_CountsOnlyWhatItMaySee(DatabaseProvider provider)
    {
        // Network-wide figures move with every other test on a shared app (approvals, revocations, partners
        // registered by token tests): this test gets a database of its own.
        _ = apps.For(provider);
        await using var app = new PartnerGateAppFactory(provider);
        await app.InitializeAsync();
        string[] users = ["approver@acme.example", "alice@boltnut.example", "bob@boltnut.example", "carol@fastfreight.example", "dave@sensortech.example"];
        var before = new Dictionary<string, HomeFigures>();
        foreach (var user in users)
        {
            before[user] = await FiguresAsync(app, user);
        }

        // BoltNut: bob has one pending request and one active grant; alice has one pending. FastFreight: carol has one active grant.
        await ArrangeAsync(app, "bob@boltnut.example", "purchase-orders", approve: false);
        await ArrangeAsync(app, "bob@boltnut.example", "inventory", approve: true);
        await ArrangeAsync(app, "alice@boltnut.example", "quality-records", approve: false);
        await ArrangeAsync(app, "carol@fastfreight.example", "inventory", approve: true);

        async Task AssertDelta(string user, FiguresScope scope, string? partnerName, int pending, int grants)
        {
            var after = await FiguresAsync(app, user);
            Assert.Equal(scope, after.Scope);
            Assert.Equal(partnerName, after.PartnerName);
            Assert.True(pending == after.PendingRequests - before[user].PendingRequests, $"{user}: pending changed by {after.PendingRequests - before[user].PendingRequests}, expected {pending}");
            Assert.True(grants == after.ActiveGrants - before[user].ActiveGrants, $"{user}: grants changed by {after.ActiveGrants - before[user].ActiveGrants}, expected {grants}");
        }

        var network = await FiguresAsync(app, "approver@acme.example");
        Assert.Equal(FiguresScope.Network, network.Scope);
        Assert.Equal(before["approver@acme.example"].PendingRequests + 2, network.PendingRequests);
        Assert.Equal(before["approver@acme.example"].ActiveGrants + 2, network.ActiveGrants);
        Assert.Equal(3, network.Partners);

        await AssertDelta("bob@boltnut.example", FiguresScope.Personal, "BoltNut Supply", pending: 1, grants: 1);
        await AssertDelta("carol@fastfreight.example", FiguresScope.Partner, "FastFreight Logistics", pending: 0, grants: 1);
        await AssertDelta("dave@sensortech.example", FiguresScope.Personal, "SensorTech Services", pending: 0, grants: 0);
        var alice = await FiguresAsync(app, "alice@boltnut.example");
        Assert.Equal(FiguresScope.Partner, alice.Scope);
        Assert.Equal(2, alice.PendingRequests - before["alice@boltnut.example"].PendingRequests);
    }

    [Fact]
    public async Task HomeFigures_Anonymous_IsRefused()
    {
        var result = await sqlite.SendAsync<Result<HomeFigures>>(new GetHomeFiguresQuery(), asEmail: null);

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }

    private static async Task<HomeFigures> FiguresAsync(PartnerGateAppFactory app, string email)
    {
        var result = await app.SendAsync<Result<HomeFigures>>(new GetHomeFiguresQuery(), email);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    /// <summary>Puts a request (and, approved, its grant) straight into the database through the domain rules.</summary>
    private static async Task ArrangeAsync(PartnerGateAppFactory app, string requesterEmail, string resourceName, bool approve)
    {
        await using var db = app.CreateDbContext();
        var requester = await db.Users.SingleAsync(u => u.Email == requesterEmail);
        var partner = await db.Partners.SingleAsync(p => p.Id == requester.PartnerId);
        var resource = await db.Resources.SingleAsync(r => r.Name == resourceName);
        var approver = await db.Users.SingleAsync(u => u.Email == "approver@acme.example");
        var now = DateTimeOffset.UtcNow;
        var actor = new Actor(requester.Id, requester.DisplayName, partner.Id, new HashSet<string> { Roles.PartnerUser });
        var request = AccessRequest.Submit(partner, resource, actor, AccessSubject.ForUser(requester.Id), [resource.Scopes[0].Name],
            now, TimeSpan.FromHours(4), "Weekly reconciliation with our own ERP system.", null, now).Value;
        db.AccessRequests.Add(request);
        if (approve)
        {
            var grant = request.Approve(resource, partner, new Actor(approver.Id, approver.DisplayName, null, new HashSet<string> { Roles.Approver }), now).Value!;
            db.Grants.Add(grant);
        }

        await db.SaveChangesAsync();
    }
}
