using Microsoft.Extensions.Options;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>
/// What the feed client knows, shared with every request: the revocation state, whether it is current, and the
/// cursor. Written by the feed client only; read lock-free (volatile fields) on every request.
/// </summary>
internal sealed class RevocationFeedMonitor : IRevocationFeedStatus
{
    private readonly TimeProvider time;
    private readonly long silenceBoundTicks;
    private readonly List<(long Cursor, TaskCompletionSource Done)> waiters = [];
    private readonly Lock waitersLock = new();
    private volatile bool connected;
    private volatile bool synced;
    private long lastMessageTicks = long.MinValue;
    private long cursor = -1;

    public RevocationFeedMonitor(IOptions<PartnerGateResourceServerOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        this.time = time;
        Enabled = settings.RevocationFeed.Enabled;
        silenceBoundTicks = settings.RevocationFeed.SilenceBound.Ticks;
        State = new RevocationState(settings.ClockSkew);
    }

    public RevocationState State { get; }

    public bool Enabled { get; }

    public bool Connected => connected;

    public bool Synced => synced;

    public bool IsCurrent => IsCurrentAt(time.GetUtcNow());

    public DateTimeOffset? LastMessageAt => Interlocked.Read(ref lastMessageTicks) is var ticks && ticks == long.MinValue
        ? null
        : new DateTimeOffset(ticks, TimeSpan.Zero);

    public long? Cursor => Interlocked.Read(ref cursor) is var value && value < 0 ? null : value;

    public int RevokedGrants => State.RevokedGrants;

    public int DisabledClients => State.DisabledClients;

    public int SuspendedPartners => State.SuspendedPartners;

    public bool IsCurrentAt(DateTimeOffset now) =>
        synced && now.UtcTicks - Interlocked.Read(ref lastMessageTicks) <= silenceBoundTicks;

    public void SetConnected(bool value) => connected = value;

    /// <summary>The feed was heard from: a verified SET, synced or heartbeat. Anything unverified must not call this.</summary>
    public void Heard() => Interlocked.Exchange(ref lastMessageTicks, time.GetUtcNow().UtcTicks);

    /// <summary>A verified event at <paramref name="value"/> was applied. Never moves back: a SET without an id (verification) repeats an older one.</summary>
    public void Advance(long value)
    {
        long known;
        do
        {
            known = Interlocked.Read(ref cursor);
            if (value <= known)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref cursor, value, known) != known);

        ReleaseWaiters();
    }

    /// <summary>
    /// The transmitter says everything up to <paramref name="value"/> was delivered. After a snapshot the cursor is
    /// set as is, even lower than before: the portal's feed may have been rebuilt (another database), and the next
    /// reconnect must ask from its numbering.
    /// </summary>
    public void MarkSynced(long value, bool afterSnapshot)
    {
        Heard();
        synced = true;
        if (afterSnapshot)
        {
            Interlocked.Exchange(ref cursor, value);
            ReleaseWaiters();
        }
        else
        {
            Advance(value);
        }
    }

    public Task WaitForCursorAsync(long target, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource done;
        lock (waitersLock)
        {
            if (synced && Interlocked.Read(ref cursor) >= target)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((target, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    private void ReleaseWaiters()
    {
        if (!synced)
        {
            return;
        }

        var current = Interlocked.Read(ref cursor);
        lock (waitersLock)
        {
            for (var i = waiters.Count - 1; i >= 0; i--)
            {
                if (waiters[i].Cursor <= current)
                {
                    waiters[i].Done.TrySetResult();
                    waiters.RemoveAt(i);
                }
            }
        }
    }
}
