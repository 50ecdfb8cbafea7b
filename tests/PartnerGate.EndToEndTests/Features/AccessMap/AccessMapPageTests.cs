using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.Web.Features.Grants;
using PartnerGate.EndToEndTests.Pages;
using PartnerGate.SupplyNetworkData;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.AccessMap;

public sealed class AccessMapPageTests(PortalFixture portal)
{
    private const string BoltNut = "BoltNut Supply";

    [Fact]
    public async Task Administrator_SelectsBoltNut_SeesItsBlastRadius_WithRecordsAndKillSwitch()
    {
        await ArrangeAsync();
        var orders = SupplyNetworkDataGenerator.Generate(DemoPartners.Find(DemoPartners.BoltNutId)!, SupplyNetworkDataGenerator.StartOfWeek(DateTimeOffset.UtcNow)).PurchaseOrders.Count;
        var (page, _) = await portal.SignedInAsync("admin@acme.example");
        await page.SetViewportSizeAsync(1440, 1000);
        var map = new AccessMapPage(page);

        await map.OpenAsync();
        await Expect(map.PartnerNode(BoltNut)).ToBeVisibleAsync();
        await Expect(map.PartnerNode("FastFreight Logistics")).ToBeVisibleAsync();
        await map.SelectPartnerAsync(BoltNut);

        await Expect(map.BlastRadius(BoltNut)).ToBeVisibleAsync();
        await Expect(map.PartnerNode(BoltNut)).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(map.Now(BoltNut)).ToContainTextAsync("Purchase orders");
        await Expect(map.Now(BoltNut)).ToContainTextAsync($"orders.read: {orders} purchase orders");
        await Expect(map.Now(BoltNut)).ToContainTextAsync("records in the demo supply-network API");
        await Expect(map.Within24Hours(BoltNut)).ToContainTextAsync("Line telemetry");
        await Expect(map.Within24Hours(BoltNut)).ToContainTextAsync("telemetry.read");
        await Expect(map.KillSwitchLink(BoltNut)).ToHaveAttributeAsync("href", $"/kill-switches?kind=partner&target={DemoPartners.BoltNutId}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "access-map-boltnut.png"), FullPage = true });

        await map.ShowTableAsync();
        await Expect(map.Table.GetByRole(Microsoft.Playwright.AriaRole.Columnheader, new() { Name = "Sensitivity" })).ToBeVisibleAsync();
        await Expect(map.Table).ToContainTextAsync("boltnut-erp");

        await map.KillSwitchLink(BoltNut).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/kill-switches\\?kind=partner&target=" + DemoPartners.BoltNutId));
    }

    [Fact]
    public async Task Map_FollowsARevocationLive_KeepingTheSelectedPartnersBlastRadius()
    {
        // A partner of this test's own, so no other test's grants come and go in its blast radius.
        var world = new AccessWorld(() => portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext());
        var partnerName = "Live Map Partner " + Guid.NewGuid().ToString("N")[..6];
        var partnerId = await world.RegisterPartnerAsync(partnerName);
        var clientId = "live-map-" + Guid.NewGuid().ToString("N")[..8];
        await world.RegisterClientAsync(partnerId, clientId);
        await world.GrantAsync(partnerId, AccessSubject.ForClient(clientId), "purchase-orders", ["orders.read"]);
        var inventory = await world.GrantAsync(partnerId, AccessSubject.ForClient(clientId), "inventory", ["inventory.read"]);
        var (page, _) = await portal.SignedInAsync("admin@acme.example");
        await page.SetViewportSizeAsync(1440, 1000);
        var map = new AccessMapPage(page);
        await map.OpenAsync();
        await map.SelectPartnerAsync(partnerName);
        await Expect(map.Now(partnerName)).ToContainTextAsync("Inventory");
        await page.EvaluateAsync("window.__stillTheSamePage = true");

        // An approver revokes one grant elsewhere (the real command, which publishes the live update after commit).
        var revoked = await portal.SendAsync<Result>("approver@acme.example", new RevokeGrantCommand(inventory, "Stocktake finished."));
        Assert.True(revoked.IsSuccess, revoked.Error?.Message);

        await Expect(map.Now(partnerName)).Not.ToContainTextAsync("Inventory", new() { Timeout = 10_000 });
        await Expect(map.Now(partnerName)).ToContainTextAsync("Purchase orders");
        await Expect(map.PartnerNode(partnerName)).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"), "The page reloaded instead of updating.");
    }

    [Fact]
    public async Task PartnerAdmin_SeesOwnPartnersBlastRadius_WithoutKillSwitch_AndPartnerUserIsTurnedAway()
    {
        var (page, _) = await portal.SignedInAsync("alice@boltnut.example");
        var map = new AccessMapPage(page);

        await map.OpenAsync();

        await Expect(map.BlastRadius(BoltNut)).ToBeVisibleAsync();
        await Expect(map.PartnerNode("FastFreight Logistics")).ToHaveCountAsync(0);
        await Expect(map.KillSwitchLink(BoltNut)).ToHaveCountAsync(0);

        var (userPage, _) = await portal.SignedInAsync("bob@boltnut.example");
        await userPage.GotoAsync("/access-map");
        await Expect(userPage.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await Expect(userPage.GetByTestId("access-map-graph")).ToHaveCountAsync(0);
        await Expect(userPage.GetByText("Blast radius")).ToHaveCountAsync(0);
    }

    /// <summary>
    /// An upcoming grant for BoltNut (line telemetry in 6 hours) and an active one for FastFreight, so the map has both
    /// kinds. BoltNut's is held by a user of this test's own: the shared portal's other tests request, approve and
    /// revoke line telemetry for bob while this one runs, and must not find a second row of his, nor take this one.
    /// </summary>
    private async Task ArrangeAsync()
    {
        await using var services = portal.Services.CreateAsyncScope();
        var mapUser = await MapUserAsync(services.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>());
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        var approver = await ActorAsync(db, "approver@acme.example", Roles.Approver);
        var secondApprover = await ActorAsync(db, "approver2@acme.example", Roles.Approver);
        foreach (var (partnerName, email, role, resourceName, scope, subject, startsIn, duration) in new[]
        {
            (BoltNut, mapUser.Email!, Roles.PartnerUser, "line-telemetry", "telemetry.read", AccessSubject.ForUser(mapUser.Id), TimeSpan.FromHours(6), TimeSpan.FromHours(8)),
            ("FastFreight Logistics", "carol@fastfreight.example", Roles.PartnerAdmin, "inventory", "inventory.read", AccessSubject.ForClient("fastfreight-tms"), TimeSpan.Zero, TimeSpan.FromDays(2)),
        })
        {
            var partner = await db.Partners.SingleAsync(p => p.Name == partnerName);
            var resource = await db.Resources.SingleAsync(r => r.Name == resourceName);
            var requester = await ActorAsync(db, email, role);
            var wanted = startsIn > TimeSpan.Zero ? GrantStatus.Scheduled : GrantStatus.Active;
            if (await db.Grants.AnyAsync(g => g.PartnerId == partner.Id && g.ResourceId == resource.Id && g.Status == wanted
                    && g.Subject.Kind == subject.Kind && g.Subject.Id == subject.Id))
            {
                continue;
            }

            var request = AccessRequest.Submit(partner, resource, requester, subject, [scope], now + startsIn, duration,
                "End-to-end test of the access map.", null, now).Value;
            db.AccessRequests.Add(request);
            db.Grants.Add(request.Approve(resource, partner, approver, now).Value ?? request.Approve(resource, partner, secondApprover, now).Value!);
        }

        await db.SaveChangesAsync();
    }

    private static async Task<PartnerGateUser> MapUserAsync(UserManager<PartnerGateUser> users)
    {
        const string email = "mara.map@boltnut.example";
        if (await users.FindByEmailAsync(email) is { } existing)
        {
            return existing;
        }

        var user = new PartnerGateUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Mara Map", PartnerId = DemoPartners.BoltNutId, LockoutEnabled = true,
        };
        Assert.True((await users.CreateAsync(user)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, Roles.PartnerUser)).Succeeded);
        return user;
    }

    private static async Task<Actor> ActorAsync(PartnerGateDbContext db, string email, string role)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
        return new Actor(user.Id, user.DisplayName, user.PartnerId, new HashSet<string> { role });
    }
}
