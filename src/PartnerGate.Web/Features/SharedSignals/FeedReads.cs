using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>Reads of the feed shared by the three delivery methods.</summary>
public static class FeedReads
{
    public static Task<List<SecurityEvent>> EventsAfterAsync(PartnerGateDbContext db, long after, int take, CancellationToken cancellationToken) =>
        db.SecurityEvents.AsNoTracking().Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(take).ToListAsync(cancellationToken);

    public static async Task<(long? Oldest, long Newest)> RetainedRangeAsync(PartnerGateDbContext db, CancellationToken cancellationToken)
    {
        var oldest = await db.SecurityEvents.MinAsync(e => (long?)e.Sequence, cancellationToken);
        var newest = await db.SecurityEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        return (oldest, newest);
    }

    /// <summary>
    /// The current state as feed entries, valid as of the returned cursor: read the cursor first, then the
    /// state, so the state is at least that new (a change committed in between is in the state AND comes again as
    /// a live event above the cursor — receivers apply events idempotently).
    /// </summary>
    public static async Task<(long Cursor, List<SecurityEvent> State)> SnapshotAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cursor = await db.SecurityEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        var state = new List<SecurityEvent>();

        var grants = await db.Grants.AsNoTracking()
            .Where(g => (g.Status == GrantStatus.Revoked || g.Status == GrantStatus.Suspended) && g.NotAfter > now)
            .Select(g => new { g.Id, g.PartnerId, g.Status, g.NotAfter, g.StatusReason, g.EndedAt })
            .ToListAsync(cancellationToken);
        state.AddRange(grants.Select(g => Entry(
            g.Status == GrantStatus.Revoked ? SecurityEventKind.GrantRevoked : SecurityEventKind.GrantSuspended,
            g.Id.ToString(), g.PartnerId, g.NotAfter, g.StatusReason, g.EndedAt ?? now,
            g.Status == GrantStatus.Revoked ? SecurityEventInitiator.Admin : SecurityEventInitiator.Policy)));

        var clients = await db.ApiClients.AsNoTracking().Where(c => c.Status == ApiClientStatus.Disabled)
            .Select(c => new { c.ClientId, c.PartnerId, c.DisabledReason, c.DisabledAt })
            .ToListAsync(cancellationToken);
        state.AddRange(clients.Select(c => Entry(SecurityEventKind.ClientDisabled, c.ClientId, c.PartnerId, null, c.DisabledReason, c.DisabledAt ?? now, SecurityEventInitiator.Admin)));

        // A deleted client has no row left to be Disabled in, but its last tokens may still be alive: the retained
        // feed still knows it was disabled.
        var deleted = await db.SecurityEvents.AsNoTracking()
            .Where(e => e.Kind == SecurityEventKind.ClientDisabled && e.Sequence <= cursor && !db.ApiClients.Any(c => c.ClientId == e.SubjectId))
            .ToListAsync(cancellationToken);
        state.AddRange(deleted.DistinctBy(e => e.SubjectId).Select(e => Entry(e.Kind, e.SubjectId, e.PartnerId, null, e.Reason, e.OccurredAt, e.InitiatingEntity)));

        var partners = await db.Partners.AsNoTracking().Where(p => p.Status == PartnerStatus.Suspended)
            .Select(p => new { p.Id, p.SuspensionReason })
            .ToListAsync(cancellationToken);
        state.AddRange(partners.Select(p => Entry(SecurityEventKind.PartnerSuspended, p.Id.ToString(), p.Id, null, p.SuspensionReason, now, SecurityEventInitiator.Admin)));

        foreach (var entry in state)
        {
            entry.Sequence = cursor;
        }

        return (cursor, state);
    }

    private static SecurityEvent Entry(SecurityEventKind kind, string subjectId, Guid? partnerId, DateTimeOffset? until, string? reason, DateTimeOffset occurredAt, string initiator) => new()
    {
        Kind = kind,
        SubjectId = subjectId,
        PartnerId = partnerId,
        Until = until,
        Reason = reason,
        OccurredAt = occurredAt,
        InitiatingEntity = initiator,
        Id = Guid.NewGuid(),
    };
}
