using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Features.KillSwitches;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.SupplyNetworkData;
using PartnerGate.Web.Features.AccessMap;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Features.AccessMap;

/// <summary>
/// The access map and blast radius through the real pipeline on SQLite and PostgreSQL. Each test works on partners of
/// its own, so the shared apps' other rows never change what it expects.
/// </summary>
public sealed class AccessMapTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    private const string Administrator = "admin@acme.example";
    private const string Approver = "approver@acme.example";

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Map_ShowsActiveGrantsAndThoseStartingWithin24Hours_NotLaterOnes(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var world = await PartnerWorld.CreateAsync(app);

        var map = await MapAsync(app, Approver, new GetAccessMapQuery(world.Partner.Id));

        Assert.Equal(2, map.Grants.Count);
        var active = Assert.Single(map.Grants, g => !g.Upcoming);
        Assert.Equal((SubjectKind.Client, world.Client.ClientId, "Inventory", Sensitivity.Low, world.Partner.Name),
            (active.SubjectKind, active.SubjectId, active.ResourceName, active.Sensitivity, active.PartnerName));
        Assert.Equal(["inventory.read"], active.Scopes);
        Assert.Contains(world.Client.ClientId, active.SubjectName, StringComparison.Ordinal);
        var upcoming = Assert.Single(map.Grants, g => g.Upcoming);
        Assert.Equal((SubjectKind.User, "Purchase orders", Sensitivity.Medium), (upcoming.SubjectKind, upcoming.ResourceName, upcoming.Sensitivity));
        Assert.Contains(world.Partner.AdminEmail, upcoming.SubjectName, StringComparison.Ordinal);
        Assert.True(upcoming.NotBefore > map.GeneratedAt && upcoming.NotBefore <= map.HorizonEnd);
        Assert.DoesNotContain(map.Grants, g => g.ResourceName == "Quality records");
        Assert.Contains(map.Partners, p => p.Id == DemoDataSeeder.BoltNutPartnerId);
        Assert.Contains(map.Resources, r => r.Name == "Line telemetry");
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Map_FiltersByResourceAndSensitivity(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var world = await PartnerWorld.CreateAsync(app);
        var inventory = await app.ResourceIdAsync("inventory");

        var byResource = await MapAsync(app, Administrator, new GetAccessMapQuery(world.Partner.Id, inventory));
        var medium = await MapAsync(app, Administrator, new GetAccessMapQuery(world.Partner.Id, Sensitivity: Sensitivity.Medium));
        var high = await MapAsync(app, Administrator, new GetAccessMapQuery(world.Partner.Id, Sensitivity: Sensitivity.High));
        var everyone = await MapAsync(app, Administrator, new GetAccessMapQuery(ResourceId: inventory));

        Assert.Equal(world.Client.ClientId, Assert.Single(byResource.Grants).SubjectId);
        Assert.True(Assert.Single(medium.Grants).Upcoming);
        Assert.Empty(high.Grants);
        Assert.Contains(everyone.Grants, g => g.SubjectId == world.Client.ClientId);
        Assert.All(everyone.Grants, g => Assert.Equal(inventory, g.ResourceId));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PartnerAdmin_SeesOwnPartnerOnly_AndAFilterNamingAnotherPartnerGivesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var own = await PartnerWorld.CreateAsync(app);
        var other = await PartnerWorld.CreateAsync(app);

        var map = await MapAsync(app, own.Partner.AdminEmail, new GetAccessMapQuery());
        var hostile = await MapAsync(app, own.Partner.AdminEmail, new GetAccessMapQuery(other.Partner.Id));
        var hostileRadius = await app.SendAsync<Result<BlastRadius>>(new GetBlastRadiusQuery(other.Partner.Id), own.Partner.AdminEmail);
        var ownRadius = await app.SendAsync<Result<BlastRadius>>(new GetBlastRadiusQuery(own.Partner.Id), own.Partner.AdminEmail);

        Assert.Equal(2, map.Grants.Count);
        Assert.All(map.Grants, g => Assert.Equal(own.Partner.Id, g.PartnerId));
        Assert.Equal([own.Partner.Id], map.Partners.Select(p => p.Id));
        Assert.Empty(hostile.Grants);
        Assert.Equal([own.Partner.Id], hostile.Partners.Select(p => p.Id));
        Assert.False(hostileRadius.IsSuccess);
        Assert.Equal(ErrorKind.NotFound, hostileRadius.Error!.Kind);
        Assert.DoesNotContain(other.Partner.Name, hostileRadius.Error.Message, StringComparison.Ordinal);
        Assert.True(ownRadius.IsSuccess, ownRadius.Error?.Message);
        Assert.Equal(own.Partner.Name, ownRadius.Value.PartnerName);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PartnerUser_AndAnonymous_AreForbidden(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var world = await PartnerWorld.CreateAsync(app);
        var partnerUser = await app.CreateUserAsync(Roles.PartnerUser, world.Partner.Name, world.Partner.Domain);

        var map = await app.SendAsync<Result<AccessMapData>>(new GetAccessMapQuery(), partnerUser);
        var ownMap = await app.SendAsync<Result<AccessMapData>>(new GetAccessMapQuery(world.Partner.Id), partnerUser);
        var radius = await app.SendAsync<Result<BlastRadius>>(new GetBlastRadiusQuery(world.Partner.Id), partnerUser);
        var anonymous = await app.SendAsync<Result<AccessMapData>>(new GetAccessMapQuery(), asEmail: null);

        Assert.Equal(ErrorKind.Forbidden, map.Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, ownMap.Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, radius.Error?.Kind);
        Assert.Equal(ErrorKind.Forbidden, anonymous.Error?.Kind);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task BlastRadius_SaysWhatIsReachedNow_AndWithin24Hours_AndWhatTheKillSwitchEnds(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var world = await PartnerWorld.CreateAsync(app);
        await app.SubmittedAsync(world.Partner.AdminEmail, "inventory", "inventory.read", TimeSpan.FromDays(1));

        var result = await app.SendAsync<Result<BlastRadius>>(new GetBlastRadiusQuery(world.Partner.Id), Approver);

        Assert.True(result.IsSuccess, result.Error?.Message);
        var radius = result.Value;
        Assert.Equal(["Inventory"], radius.Now.Resources.Select(r => r.Name));
        Assert.Equal(["inventory.read"], radius.Now.Scopes);
        Assert.Equal((1, 1), (radius.Now.Subjects, radius.Now.Grants));
        Assert.Equal(["Purchase orders", "Inventory"], radius.WithinHorizon.Resources.Select(r => r.Name));
        Assert.Equal(["inventory.read", "orders.read"], radius.WithinHorizon.Scopes);
        Assert.Equal((2, 2), (radius.WithinHorizon.Subjects, radius.WithinHorizon.Grants));

        // The kill switch also ends the grant that starts in 30 hours, beyond the map's horizon.
        Assert.Equal(3, radius.KillSwitchGrants);
        Assert.Equal(1, radius.PendingRequests);

        // A partner the demo API does not know has no records there, though its resources are the API's.
        Assert.All(radius.WithinHorizon.Resources, r => Assert.True(r.InDemoApi));
        Assert.Equal(0, radius.WithinHorizon.DemoApiRecords);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task SuspendedGrants_AreDrawnAsSuspended_WithWhy_AndReachNothing_UntilTheyResume(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var world = await PartnerWorld.CreateAsync(app);

        // The client's active inventory grant is suspended by posture (as the sweep does when a certification lapses).
        await using (var db = app.CreateDbContext())
        {
            var grant = await db.Grants.SingleAsync(g => g.PartnerId == world.Partner.Id && g.Subject.Id == world.Client.ClientId);
            Assert.True(grant.SuspendForPosture("ISO 27001 expired").IsSuccess);
            await db.SaveChangesAsync();
        }

        var map = await MapAsync(app, Approver, new GetAccessMapQuery(world.Partner.Id));
        var suspended = Assert.Single(map.Grants, g => g.Suspended);
        Assert.Equal(("Inventory", "certification lapsed", false), (suspended.ResourceName, suspended.SuspendedBecause, suspended.Upcoming));
        Assert.Equal("Suspended (certification lapsed)", AccessMapGrants.StateInWords(suspended));
        Assert.Single(map.Grants, g => g.Upcoming);

        var radius = await RadiusAsync(app, world.Partner.Id);
        Assert.Equal((0, 0), (radius.Now.Grants, radius.Now.Resources.Count));
        Assert.Equal(["Purchase orders"], radius.WithinHorizon.Resources.Select(r => r.Name));
        Assert.Equal(1, radius.SuspendedGrants);

        // Suspending the partner stops everything it holds: every grant is drawn suspended, nothing is reached.
        await using (var db = app.CreateDbContext())
        {
            var partner = await db.Partners.SingleAsync(p => p.Id == world.Partner.Id);
            Assert.True(partner.Suspend("Breach under investigation").IsSuccess);
            await db.SaveChangesAsync();
        }

        map = await MapAsync(app, Approver, new GetAccessMapQuery(world.Partner.Id));
        Assert.Equal(2, map.Grants.Count);
        Assert.All(map.Grants, g => Assert.Equal(("partner suspended", false), (g.SuspendedBecause, g.Upcoming)));
        radius = await RadiusAsync(app, world.Partner.Id);
        Assert.Equal((0, 0, 2), (radius.Now.Grants, radius.WithinHorizon.Grants, radius.SuspendedGrants));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task BlastRadius_OfBoltNut_CountsTheDemoApisPurchaseOrders_AsTheGeneratorMakesThem(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var generated = SupplyNetworkDataGenerator.Generate(DemoPartners.Find(DemoPartners.BoltNutId)!, SupplyNetworkDataGenerator.StartOfWeek(now));

        var result = await app.SendAsync<Result<BlastRadius>>(new GetBlastRadiusQuery(DemoDataSeeder.BoltNutPartnerId), Administrator);

        Assert.True(result.IsSuccess, result.Error?.Message);
        var orders = Assert.Single(result.Value.Now.Resources, r => r.Name == "Purchase orders");
        Assert.True(orders.InDemoApi);
        var read = Assert.Single(orders.Records, r => r.Scope == "orders.read");
        Assert.Equal(generated.PurchaseOrders.Count, read.Records);
        Assert.True(read.Records > 0);
        Assert.True(result.Value.Now.DemoApiRecords >= read.Records);
        Assert.True(result.Value.WithinHorizon.DemoApiRecords >= result.Value.Now.DemoApiRecords);
    }

    private static async Task<BlastRadius> RadiusAsync(PartnerGateAppFactory app, Guid partnerId)
    {
        var result = await app.SendAsync<Result<BlastRadius>>(new GetBlastRadiusQuery(partnerId), Approver);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    private static async Task<AccessMapData> MapAsync(PartnerGateAppFactory app, string email, GetAccessMapQuery query)
    {
        var result = await app.SendAsync<Result<AccessMapData>>(query, email);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }
}

/// <summary>
/// A partner of its own with: a service client holding an active grant on inventory; its admin holding a grant on
/// purchase orders that starts in 6 hours (upcoming) and one on quality records that starts in 30 hours (beyond the map).
/// </summary>
public sealed record PartnerWorld(TestPartner Partner, Connect.TestClient Client)
{
    public static async Task<PartnerWorld> CreateAsync(PartnerGateAppFactory app)
    {
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner, "inventory", "inventory.read");
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        foreach (var (resource, scope, startsIn) in new[] { ("purchase-orders", "orders.read", 6), ("quality-records", "quality.read", 30) })
        {
            var request = await app.SubmittedAsync(partner.AdminEmail, resource, scope, TimeSpan.FromDays(1), now.AddHours(startsIn));
            var approval = await app.ApproveAsync("approver@acme.example", request);
            Assert.True(approval.IsSuccess, approval.Error?.Message);
        }

        return new PartnerWorld(partner, client);
    }
}
