using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Auditing;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Features.Audit;

/// <summary>One event a test puts on the chain; the action is prefixed with the test's marker so filters find only its own.</summary>
public sealed record SeededEvent(Guid? PartnerId, string Action, string ActorName, string TargetType, string TargetId, string? Details = null, string? ActorId = null);

public static class AuditWorld
{
    public const string Administrator = "admin@acme.example";
    public static readonly Guid BoltNut = PartnerGate.Web.Features.Demo.DemoDataSeeder.BoltNutPartnerId;
    public static readonly Guid FastFreight = PartnerGate.Web.Features.Demo.DemoDataSeeder.FastFreightPartnerId;

    /// <summary>A marker unique to one test, used as the action prefix (<c>t{marker}.</c>) of its events.</summary>
    public static string NewMarker() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Appends events through the real chain writer (head lock, hashes) in one transaction, all at <paramref name="at"/>.</summary>
    public static async Task<IReadOnlyList<AuditEvent>> AppendAsync(this PartnerGateAppFactory app, DateTimeOffset at, params SeededEvent[] events)
    {
        await using var db = app.CreateDbContext();
        IReadOnlyList<AuditEvent> appended = [];
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var byActor = events.GroupBy(e => (e.ActorId, e.ActorName)).ToList();
            var all = new List<AuditEvent>();
            foreach (var group in byActor)
            {
                all.AddRange(await AuditTrail.AppendAsync(db, group.Select(e => new AuditEntry(e.Action, e.TargetType, e.TargetId, e.PartnerId, e.Details)).ToList(),
                    new AuditActor(group.Key.ActorId ?? "actor-" + group.Key.ActorName, group.Key.ActorName), at, CancellationToken.None));

                // The next actor's entries extend the chain from the head as saved, so save before appending again.
                await db.SaveChangesAsync();
            }

            await transaction.CommitAsync();
            appended = all;
        });
        return appended;
    }
}
