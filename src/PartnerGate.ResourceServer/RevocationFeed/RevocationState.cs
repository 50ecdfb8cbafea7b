using System.Collections.Concurrent;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>
/// The revoked grants, disabled clients and suspended partners this API knows of. One writer (the feed client)
/// and many readers (every request): reads are lock-free dictionary lookups, keyed by the values tokens carry.
/// </summary>
internal sealed class RevocationState(TimeSpan forgetMargin)
{
    private readonly ConcurrentDictionary<Guid, Entry> grants = new();
    private readonly ConcurrentDictionary<string, Entry> clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Entry> partners = new();

    // Subjects a snapshot named; the rest are dropped when the snapshot completes (null: no snapshot under way).
    private HashSet<(FeedSubjectKind, string)>? snapshotSubjects;

    /// <summary>
    /// How long after a grant's end it is still remembered: a token's <c>exp</c> is at most the grant's end, but the
    /// token handler accepts it for the clock skew beyond, so the grant must stay refused that long too.
    /// </summary>
    public TimeSpan ForgetMargin { get; } = forgetMargin;

    public int RevokedGrants => grants.Count(g => g.Value.Blocked);

    public int DisabledClients => clients.Count(c => c.Value.Blocked);

    public int SuspendedPartners => partners.Count(p => p.Value.Blocked);

    /// <summary>
    /// Applies one event if it is not older than what is known of its subject: events may arrive twice (snapshot,
    /// replay) and must be idempotent, and a late older event must never undo a newer one.
    /// </summary>
    public bool Apply(FeedEvent feedEvent)
    {
        snapshotSubjects?.Add((feedEvent.Kind, feedEvent.SubjectId));
        var entry = new Entry(feedEvent.Sequence, feedEvent.Blocked, feedEvent.NotAfter);
        return feedEvent.Kind switch
        {
            FeedSubjectKind.Grant => Store(grants, Guid.Parse(feedEvent.SubjectId), entry),
            FeedSubjectKind.Client => Store(clients, feedEvent.SubjectId, entry),
            _ => Store(partners, Guid.Parse(feedEvent.SubjectId), entry),
        };
    }

    /// <summary>A snapshot of the current state follows: it replaces what is known (a subject it leaves out is no longer blocked).</summary>
    public void BeginSnapshot() => snapshotSubjects = [];

    /// <summary>The snapshot is complete: forgets every subject it did not name.</summary>
    public void CompleteSnapshot()
    {
        if (snapshotSubjects is not { } named)
        {
            return;
        }

        snapshotSubjects = null;
        RemoveUnnamed(grants, FeedSubjectKind.Grant, named, id => id.ToString("D"));
        RemoveUnnamed(clients, FeedSubjectKind.Client, named, id => id);
        RemoveUnnamed(partners, FeedSubjectKind.Partner, named, id => id.ToString("D"));
    }

    public bool IsGrantBlocked(Guid grantId, DateTimeOffset now) =>
        grants.TryGetValue(grantId, out var entry) && entry.Blocked && (entry.NotAfter is not { } end || now < end + ForgetMargin);

    public bool IsClientBlocked(string clientId) => clients.TryGetValue(clientId, out var entry) && entry.Blocked;

    public bool IsPartnerBlocked(Guid partnerId) => partners.TryGetValue(partnerId, out var entry) && entry.Blocked;

    /// <summary>Forgets grants that ended (plus the margin): no token of theirs can be valid any more, so the set stays small.</summary>
    public int ForgetEndedGrants(DateTimeOffset now)
    {
        var forgotten = 0;
        foreach (var (grantId, entry) in grants)
        {
            if (entry.NotAfter is { } end && now >= end + ForgetMargin && grants.TryRemove(new KeyValuePair<Guid, Entry>(grantId, entry)))
            {
                forgotten++;
            }
        }

        return forgotten;
    }

    private static bool Store<TKey>(ConcurrentDictionary<TKey, Entry> entries, TKey key, Entry entry)
        where TKey : notnull
    {
        if (entries.TryGetValue(key, out var known) && known.Sequence > entry.Sequence)
        {
            return false;
        }

        entries[key] = entry;
        return true;
    }

    private static void RemoveUnnamed<TKey>(ConcurrentDictionary<TKey, Entry> entries, FeedSubjectKind kind, HashSet<(FeedSubjectKind, string)> named, Func<TKey, string> format)
        where TKey : notnull
    {
        foreach (var key in entries.Keys)
        {
            if (!named.Contains((kind, format(key))))
            {
                entries.TryRemove(key, out _);
            }
        }
    }

    private sealed record Entry(long Sequence, bool Blocked, DateTimeOffset? NotAfter);
}
