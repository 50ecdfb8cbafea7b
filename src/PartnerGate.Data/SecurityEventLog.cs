using Microsoft.EntityFrameworkCore;

namespace PartnerGate.Data;

public static class SecurityEventLog
{
    /// <summary>
    /// Appends feed entries inside the caller's open transaction, numbered after the last committed one. Takes
    /// the audit chain's head lock first (a no-op when the audit trail already holds it in this transaction),
    /// so two writers never pick the same sequence and sequences become visible in order.
    /// </summary>
    public static async Task<IReadOnlyList<SecurityEvent>> AppendAsync(PartnerGateDbContext db, IReadOnlyCollection<SecurityEventEntry> entries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Security events are written only inside the transaction of the change they describe.");
        }

        await db.AuditChainHeads
            .Where(h => h.Id == AuditChainHead.SingletonId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.LockCounter, h => h.LockCounter + 1), cancellationToken);
        var last = await db.SecurityEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;

        var appended = new List<SecurityEvent>(entries.Count);
        foreach (var entry in entries)
        {
            var securityEvent = new SecurityEvent
            {
                Sequence = ++last,
                Id = Guid.NewGuid(),
                OccurredAt = now,
                Kind = entry.Kind,
                SubjectId = entry.SubjectId,
                PartnerId = entry.PartnerId,
                Until = entry.Until,
                Reason = entry.Reason is { Length: > 1000 } reason ? reason[..1000] : entry.Reason,
                InitiatingEntity = entry.InitiatingEntity,
            };
            db.SecurityEvents.Add(securityEvent);
            appended.Add(securityEvent);
        }

        return appended;
    }
}
