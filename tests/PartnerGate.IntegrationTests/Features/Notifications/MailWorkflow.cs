using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Notifications;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Features.Notifications;

/// <summary>
/// Puts requests and grants into the database through the domain rules (as the workflow's commands will),
/// then publishes the event the way the unit of work does after its commit.
/// </summary>
internal static class MailWorkflow
{
    public const string Justification = "Weekly reconciliation with our own ERP system.";

    public static async Task<AccessRequest> SubmitAsync(
        PartnerGateAppFactory app, DateTimeOffset now, string requesterEmail, string resourceName, AccessSubject? subject = null)
    {
        await using var db = app.CreateDbContext();
        var requester = await ActorAsync(db, requesterEmail);
        var partner = await db.Partners.SingleAsync(p => p.Id == requester.PartnerId);
        var resource = await db.Resources.SingleAsync(r => r.Name == resourceName);
        // The read scope (every demo resource has one): the order of Scopes as loaded is not defined.
        var scope = resource.Scopes.Select(s => s.Name).Single(name => name.EndsWith(".read", StringComparison.Ordinal));
        var request = AccessRequest.Submit(partner, resource, requester, subject ?? AccessSubject.ForUser(requester.UserId), [scope],
            now, TimeSpan.FromHours(4), Justification, "INC-4711", now).Value;
        db.AccessRequests.Add(request);
        await db.SaveChangesAsync();
        return request;
    }

    /// <summary>One approval; returns the grant when it was the last one the policy needs.</summary>
    public static async Task<Grant?> ApproveAsync(PartnerGateAppFactory app, DateTimeOffset now, Guid requestId, string approverEmail)
    {
        await using var db = app.CreateDbContext();
        var (request, resource) = await LoadAsync(db, requestId);
        var partner = await db.Partners.SingleAsync(p => p.Id == request.PartnerId);
        var grant = request.Approve(resource, partner, await ActorAsync(db, approverEmail), now).Value;
        if (grant is not null)
        {
            db.Grants.Add(grant);
        }

        await db.SaveChangesAsync();
        return grant;
    }

    public static async Task DenyAsync(PartnerGateAppFactory app, DateTimeOffset now, Guid requestId, string approverEmail, string comment)
    {
        await using var db = app.CreateDbContext();
        var (request, resource) = await LoadAsync(db, requestId);
        Assert.True(request.Deny(resource, await ActorAsync(db, approverEmail), comment, now).IsSuccess);
        await db.SaveChangesAsync();
    }

    public static async Task RevokeAsync(PartnerGateAppFactory app, DateTimeOffset now, Guid grantId, string approverEmail, string reason)
    {
        await using var db = app.CreateDbContext();
        var grant = await db.Grants.SingleAsync(g => g.Id == grantId);
        Assert.True(grant.Revoke(await ActorAsync(db, approverEmail), reason, now).IsSuccess);
        await db.SaveChangesAsync();
    }

    public static async Task PublishAsync(PartnerGateAppFactory app, INotification notification)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IPublisher>().Publish(notification);
    }

    /// <summary>Publishes and returns the outbox messages the event wrote, by recipient.</summary>
    public static async Task<IReadOnlyList<OutboxMessage>> PublishAndCollectAsync(PartnerGateAppFactory app, INotification notification)
    {
        HashSet<Guid> before;
        await using (var db = app.CreateDbContext())
        {
            before = [.. await db.OutboxMessages.Select(m => m.Id).ToListAsync()];
        }

        await PublishAsync(app, notification);
        await using var after = app.CreateDbContext();
        var all = await after.OutboxMessages.AsNoTracking().ToListAsync();
        return all.Where(m => !before.Contains(m.Id)).OrderBy(m => m.To, StringComparer.Ordinal).ToList();
    }

    public static async Task<List<OutboxMessage>> OutboxAsync(PartnerGateAppFactory app)
    {
        await using var db = app.CreateDbContext();
        var all = await db.OutboxMessages.AsNoTracking().ToListAsync();
        return all.OrderBy(m => m.To, StringComparer.Ordinal).ToList();
    }

    private static async Task<(AccessRequest Request, Domain.Resources.Resource Resource)> LoadAsync(PartnerGateDbContext db, Guid requestId)
    {
        var request = await db.AccessRequests.Include(r => r.Decisions).SingleAsync(r => r.Id == requestId);
        return (request, await db.Resources.SingleAsync(r => r.Id == request.ResourceId));
    }

    private static async Task<Actor> ActorAsync(PartnerGateDbContext db, string email)
    {
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var roles = await (from userRole in db.UserRoles
                           join role in db.Roles on userRole.RoleId equals role.Id
                           where userRole.UserId == user.Id
                           select role.Name!).ToListAsync();
        return new Actor(user.Id, user.DisplayName, user.PartnerId, roles.ToHashSet(StringComparer.Ordinal));
    }
}
