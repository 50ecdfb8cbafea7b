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
        var app = apps.For(provider);
        var before = await FiguresAsync(app, "approver@acme.example");

        // BoltNut: bob has one pending request and one active grant; alice has one pending. FastFreight: carol has one active grant.
        await ArrangeAsync(app, "bob@boltnut.example", "purchase-orders", approve: false);
        await ArrangeAsync(app, "bob@boltnut.example", "inventory", approve: true);
        await ArrangeAsync(app, "alice@boltnut.example", "quality-records", approve: false);
        await ArrangeAsync(app, "carol@fastfreight.example", "inventory", approve: true);

        var network = await FiguresAsync(app, "approver@acme.example");
        Assert.Equal(FiguresScope.Network, network.Scope);
        Assert.Equal(before.PendingRequests + 2, network.PendingRequests);
        Assert.Equal(before.ActiveGrants + 2, network.ActiveGrants);
        Assert.Equal(3, network.Partners);

        var alice = await FiguresAsync(app, "alice@boltnut.example");
        Assert.Equal(new HomeFigures(FiguresScope.Partner, "BoltNut Supply", 2, 1, 1), alice);

        var bob = await FiguresAsync(app, "bob@boltnut.example");
        Assert.Equal(new HomeFigures(FiguresScope.Personal, "BoltNut Supply", 1, 1, 1), bob);

        var carol = await FiguresAsync(app, "carol@fastfreight.example");
        Assert.Equal(new HomeFigures(FiguresScope.Partner, "FastFreight Logistics", 0, 1, 1), carol);

        var dave = await FiguresAsync(app, "dave@sensortech.example");
        Assert.Equal(new HomeFigures(FiguresScope.Personal, "SensorTech Services", 0, 0, 1), dave);
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
            var grant = request.Approve(resource, new Actor(approver.Id, approver.DisplayName, null, new HashSet<string> { Roles.Approver }), now).Value!;
            db.Grants.Add(grant);
        }

        await db.SaveChangesAsync();
    }
}
