using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Auditing;

namespace PartnerGate.Data;

/// <summary>What a unit of work wants recorded; turned into chained <see cref="AuditEvent"/>s at commit.</summary>
public sealed record AuditEntry(string Action, string TargetType, string TargetId, Guid? PartnerId, string? Details);

/// <summary>Who the audit trail names as the actor of a change.</summary>
public sealed record AuditActor(string? Id, string Name)
{
    public static AuditActor System { get; } = new("system", "PartnerGate");
}

public static class AuditTrail
{
    /// <summary>
    /// Appends entries to the chain inside the caller's open transaction. Locks the chain head first,
    /// so the events commit or roll back together with the change they describe (invariant 6).
    /// </summary>
    public static async Task<IReadOnlyList<AuditEvent>> AppendAsync(PartnerGateDbContext db, IReadOnlyCollection<AuditEntry> entries, AuditActor actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Audit events are written only inside the transaction of the change they record.");
        }

        await db.AuditChainHeads
            .Where(h => h.Id == AuditChainHead.SingletonId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.LockCounter, h => h.LockCounter + 1), cancellationToken);
        // Read after taking the lock, untracked so a copy tracked earlier in this context cannot be stale.
        var tracked = db.AuditChainHeads.Local.FirstOrDefault(h => h.Id == AuditChainHead.SingletonId);
        if (tracked is not null)
        {
            db.Entry(tracked).State = EntityState.Detached;
        }

        var head = await db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.Id == AuditChainHead.SingletonId, cancellationToken);
        db.AuditChainHeads.Attach(head);

        var appended = new List<AuditEvent>(entries.Count);
        foreach (var entry in entries)
        {
            var auditEvent = AuditEvent.Append(head.LastSequence + 1, head.LastHash, now, actor.Id, actor.Name, entry.PartnerId,
                entry.Action, entry.TargetType, entry.TargetId, entry.Details);
            db.AuditEvents.Add(auditEvent);
            head.LastSequence = auditEvent.Sequence;
            head.LastHash = auditEvent.Hash;
            appended.Add(auditEvent);
        }

        return appended;
    }
}
