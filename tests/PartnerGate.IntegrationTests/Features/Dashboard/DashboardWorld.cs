using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Features.Dashboard;

/// <summary>
/// An app of its own on a fake clock with the sweep off, and requests and grants put straight into the database
/// through the domain rules at chosen instants: the dashboard's figures can then be stated exactly.
/// </summary>
internal sealed class DashboardWorld : IAsyncDisposable
{
    public const string BoltNut = "bob@boltnut.example";
    public const string FastFreight = "carol@fastfreight.example";
    public const string SensorTech = "dave@sensortech.example";
    public const string Justification = "Reconcile this week's deliveries against our ERP system.";

    private DashboardWorld(PartnerGateAppFactory app, FakeTimeProvider clock)
    {
        App = app;
        Clock = clock;
    }

    public PartnerGateAppFactory App { get; }
    public FakeTimeProvider Clock { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>
    /// Starts the app, then moves the clock to noon UTC more than 30 days after the demo seed, so nothing the seed
    /// created (its grants last 7 days, its approvals were at seeding) is active, decided lately or revoked.
    /// </summary>
    public static async Task<DashboardWorld> StartAsync(DatabaseProvider provider)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = new PartnerGateAppFactory(provider,
            extraSettings: new Dictionary<string, string?> { ["Sweep:Enabled"] = "false" },
            configureServices: services => services.AddSingleton<TimeProvider>(clock));
        await app.InitializeAsync();
        clock.SetUtcNow(new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(41).AddHours(12), TimeSpan.Zero));
        return new DashboardWorld(app, clock);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    /// <summary>A request submitted at <paramref name="submittedAt"/> (window starting then unless <paramref name="startsAt"/>), left pending.</summary>
    public async Task<Guid> PendingAsync(string requesterEmail, string resourceName, DateTimeOffset submittedAt, TimeSpan duration, DateTimeOffset? startsAt = null)
    {
        await using var db = App.CreateDbContext();
        var request = await SubmitAsync(db, requesterEmail, resourceName, submittedAt, duration, startsAt);
        db.AccessRequests.Add(request);
        await db.SaveChangesAsync();
        return request.Id;
    }

    /// <summary>A request submitted at <paramref name="submittedAt"/> and approved (by as many approvers as its policy needs) at <paramref name="decidedAt"/>.</summary>
    public async Task<Guid> GrantedAsync(string requesterEmail, string resourceName, DateTimeOffset submittedAt, DateTimeOffset decidedAt, TimeSpan duration, DateTimeOffset? startsAt = null)
    {
        await using var db = App.CreateDbContext();
        var request = await SubmitAsync(db, requesterEmail, resourceName, submittedAt, duration, startsAt);
        db.AccessRequests.Add(request);
        var resource = await db.Resources.SingleAsync(r => r.Id == request.ResourceId);
        var partner = await db.Partners.SingleAsync(p => p.Id == request.PartnerId);
        foreach (var approverEmail in new[] { "approver@acme.example", "approver2@acme.example" })
        {
            var approved = request.Approve(resource, partner, await StaffAsync(db, approverEmail, Roles.Approver), decidedAt);
            Assert.True(approved.IsSuccess, approved.Error?.Message);
            if (approved.Value is { } grant)
            {
                db.Grants.Add(grant);
                await db.SaveChangesAsync();
                return grant.Id;
            }
        }

        throw new InvalidOperationException("Two approvals did not make a grant.");
    }

    public async Task DeniedAsync(string requesterEmail, string resourceName, DateTimeOffset submittedAt, DateTimeOffset decidedAt)
    {
        await using var db = App.CreateDbContext();
        var request = await SubmitAsync(db, requesterEmail, resourceName, submittedAt, TimeSpan.FromHours(2), null);
        db.AccessRequests.Add(request);
        var resource = await db.Resources.SingleAsync(r => r.Id == request.ResourceId);
        Assert.True(request.Deny(resource, await StaffAsync(db, "approver@acme.example", Roles.Approver), "Not this week.", decidedAt).IsSuccess);
        await db.SaveChangesAsync();
    }

    /// <summary>A request approved automatically at submission (demand-forecast up to 8 hours).</summary>
    public async Task AutoApprovedAsync(string requesterEmail, DateTimeOffset submittedAt)
    {
        await using var db = App.CreateDbContext();
        var request = await SubmitAsync(db, requesterEmail, "demand-forecast", submittedAt, TimeSpan.FromHours(2), null);
        db.AccessRequests.Add(request);
        var resource = await db.Resources.SingleAsync(r => r.Id == request.ResourceId);
        var grant = request.AutoApprove(resource, submittedAt);
        Assert.True(grant.IsSuccess, grant.Error?.Message);
        db.Grants.Add(grant.Value);
        await db.SaveChangesAsync();
    }

    public async Task CancelledAsync(string requesterEmail, string resourceName, DateTimeOffset submittedAt, DateTimeOffset cancelledAt)
    {
        await using var db = App.CreateDbContext();
        var request = await SubmitAsync(db, requesterEmail, resourceName, submittedAt, TimeSpan.FromHours(2), null);
        db.AccessRequests.Add(request);
        Assert.True(request.Cancel(await RequesterAsync(db, requesterEmail), cancelledAt).IsSuccess);
        await db.SaveChangesAsync();
    }

    public async Task RevokeAsync(Guid grantId, DateTimeOffset at)
    {
        await using var db = App.CreateDbContext();
        var grant = await db.Grants.SingleAsync(g => g.Id == grantId);
        Assert.True(grant.Revoke(await StaffAsync(db, "admin@acme.example", Roles.Administrator), "Access review found it unused.", at).IsSuccess);
        await db.SaveChangesAsync();
    }

    /// <summary>Cancels every request still pending, as their requesters would.</summary>
    public async Task CancelAllPendingAsync(DateTimeOffset at)
    {
        await using var db = App.CreateDbContext();
        foreach (var request in await db.AccessRequests.Where(r => r.Status == AccessRequestStatus.Pending).ToListAsync())
        {
            var requester = await db.Users.SingleAsync(u => u.Id == request.RequestedByUserId);
            Assert.True(request.Cancel(new Actor(requester.Id, requester.DisplayName, requester.PartnerId, new HashSet<string> { Roles.PartnerUser }), at).IsSuccess);
        }

        await db.SaveChangesAsync();
    }

    public async Task<Guid> PartnerIdAsync(string memberEmail)
    {
        await using var db = App.CreateDbContext();
        return (await db.Users.SingleAsync(u => u.Email == memberEmail)).PartnerId!.Value;
    }

    private static async Task<AccessRequest> SubmitAsync(PartnerGateDbContext db, string requesterEmail, string resourceName, DateTimeOffset submittedAt, TimeSpan duration, DateTimeOffset? startsAt)
    {
        var requester = await RequesterAsync(db, requesterEmail);
        var partner = await db.Partners.SingleAsync(p => p.Id == requester.PartnerId);
        var resource = await db.Resources.SingleAsync(r => r.Name == resourceName);
        var submitted = AccessRequest.Submit(partner, resource, requester, AccessSubject.ForUser(requester.UserId), [resource.Scopes[0].Name],
            startsAt ?? submittedAt, duration, Justification, null, submittedAt);
        Assert.True(submitted.IsSuccess, submitted.Error?.Message);
        return submitted.Value;
    }

    private static async Task<Actor> RequesterAsync(PartnerGateDbContext db, string email)
    {
        var user = await db.Users.SingleAsync(u => u.Email == email);
        return new Actor(user.Id, user.DisplayName, user.PartnerId, new HashSet<string> { Roles.PartnerUser });
    }

    private static async Task<Actor> StaffAsync(PartnerGateDbContext db, string email, string role)
    {
        var user = await db.Users.SingleAsync(u => u.Email == email);
        return new Actor(user.Id, user.DisplayName, null, new HashSet<string> { role });
    }
}
