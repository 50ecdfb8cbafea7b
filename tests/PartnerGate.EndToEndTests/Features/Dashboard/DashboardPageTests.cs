using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.Web.Infrastructure.Live;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Dashboard;

public sealed class DashboardPageTests(PortalFixture portal)
{
    [Fact]
    public async Task Administrator_OpensDashboardFromHome_SeesTheCharts_AndAChartLinkLandsOnTheFilteredList()
    {
        await ArrangeAsync();
        var (page, _) = await portal.SignedInAsync("admin@acme.example");
        var dashboard = new DashboardPage(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Open the dashboard" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "/dashboard").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Active grants by sensitivity" })).ToBeVisibleAsync();
        foreach (var key in new[] { "pending", "median", "sensitivity", "partner", "expiring", "revocations" })
        {
            await Expect(dashboard.Chart(key)).ToBeVisibleAsync();
        }

        foreach (var key in new[] { "pending", "sensitivity", "partner", "expiring", "revocations" })
        {
            await Expect(dashboard.ChartGraphic(key)).ToBeVisibleAsync();
        }

        await Expect(dashboard.Figure("partner", "BoltNut Supply")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"BoltNut Supply: \d+"));
        await Expect(dashboard.Chart("revocations").Locator("li")).ToHaveCountAsync(7);
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "admin-dashboard.png"), FullPage = true });

        // Live: a revocation committed elsewhere shows without a reload (the page follows the portal's live updates).
        var revocations = dashboard.Chart("revocations").Locator("[data-summary]");
        var before = await revocations.TextContentAsync();
        var partnerId = await ArrangeRevocationAsync();
        portal.Services.GetRequiredService<LiveUpdateHub>().Publish(new LiveUpdate(LiveUpdateKind.GrantChanged, partnerId));
        await Expect(revocations).Not.ToHaveTextAsync(before!);

        await dashboard.FigureLink("sensitivity", "Medium").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "/grants?status=active&sensitivity=Medium").ToString());
        await Expect(page.Locator("[data-filter=status]")).ToHaveTextAsync("Status: active");
        await Expect(page.Locator("[data-filter=sensitivity]")).ToHaveTextAsync("Sensitivity: Medium");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "client boltnut-erp" }).First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "admin-grants-filtered.png"), FullPage = true });

        // Removing a chip drops that filter from the address and the list.
        await page.Locator("[data-filter=sensitivity] button").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(portal.BaseAddress, "/grants?status=active").ToString());
        await Expect(page.Locator("[data-filter=sensitivity]")).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Beside the demo's two grants, a little of everything the dashboard counts, from SensorTech and FastFreight (whom
    /// no other test here asks for access): three pending requests of different ages, a grant decided after 25 minutes
    /// that ends in 3 hours, and one revoked just now. Written with the domain's rules, as the demo seed does; the
    /// database write publishes no live update by itself.
    /// </summary>
    private async Task ArrangeAsync()
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        var dave = await ActorAsync(db, "dave@sensortech.example", Roles.PartnerUser);
        var carol = await ActorAsync(db, "carol@fastfreight.example", Roles.PartnerAdmin);
        var approver = await ActorAsync(db, "approver@acme.example", Roles.Approver);

        await SubmittedAsync(db, dave, "inventory", now.AddMinutes(-20), TimeSpan.FromHours(4));
        await SubmittedAsync(db, carol, "purchase-orders", now.AddHours(-3), TimeSpan.FromHours(4));
        await SubmittedAsync(db, dave, "quality-records", now.AddHours(-30), TimeSpan.FromHours(4));
        var (ending, endingResource, endingPartner) = await SubmittedAsync(db, carol, "inventory", now.AddHours(-1), TimeSpan.FromHours(4));
        db.Grants.Add(ending.Approve(endingResource, endingPartner, approver, now.AddMinutes(-35)).Value!);
        await db.SaveChangesAsync();
        await ArrangeRevocationAsync();
    }

    /// <summary>One of SensorTech's grants, approved 90 minutes ago and revoked now; returns the partner.</summary>
    private async Task<Guid> ArrangeRevocationAsync()
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        var dave = await ActorAsync(db, "dave@sensortech.example", Roles.PartnerUser);
        var (request, resource, partner) = await SubmittedAsync(db, dave, "purchase-orders", now.AddHours(-2), TimeSpan.FromDays(1));
        var grant = request.Approve(resource, partner, await ActorAsync(db, "approver@acme.example", Roles.Approver), now.AddMinutes(-90)).Value!;
        Assert.True(grant.Revoke(await ActorAsync(db, "admin@acme.example", Roles.Administrator), "Arranged: the dashboard shows a revocation today.", now).IsSuccess);
        db.Grants.Add(grant);
        await db.SaveChangesAsync();
        return partner.Id;
    }

    private static async Task<(AccessRequest Request, Domain.Resources.Resource Resource, Domain.Partners.Partner Partner)> SubmittedAsync(
        PartnerGateDbContext db, Actor requester, string resourceName, DateTimeOffset at, TimeSpan duration)
    {
        var partner = await db.Partners.SingleAsync(p => p.Id == requester.PartnerId);
        var resource = await db.Resources.SingleAsync(r => r.Name == resourceName);
        var request = AccessRequest.Submit(partner, resource, requester, AccessSubject.ForUser(requester.UserId), [resource.Scopes[0].Name], at, duration,
            "Arranged for the dashboard's end-to-end test.", null, at).Value;
        db.AccessRequests.Add(request);
        return (request, resource, partner);
    }

    private static async Task<Actor> ActorAsync(PartnerGateDbContext db, string email, string role)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
        return new Actor(user.Id, user.DisplayName, user.PartnerId, new HashSet<string>(StringComparer.Ordinal) { role });
    }
}
