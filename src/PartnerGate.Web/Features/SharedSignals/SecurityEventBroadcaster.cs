using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Web.Infrastructure.Database;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>What the broadcaster hands to each open SSE connection, in order.</summary>
public abstract record FeedItem;

/// <summary>Events read from the database, in sequence order, gap-free after the previous batch.</summary>
public sealed record FeedBatch(IReadOnlyList<SecurityEvent> Events) : FeedItem;

/// <summary>A verification SET for one stream's connections (SSF §8.1.4); not a feed entry, so it carries no event id.</summary>
public sealed record FeedVerification(string StreamId, string Token) : FeedItem;

/// <summary>A successful read of the database at <see cref="Time"/> found nothing newer than <see cref="Cursor"/>.</summary>
public sealed record FeedTick(long Cursor, DateTimeOffset Time) : FeedItem;

/// <summary>
/// One per node: reads the feed (events with a sequence above its cursor) when a command on this node signals new
/// events, or every <c>SharedSignals:PollMilliseconds</c> for events other nodes wrote, and fans them out to this
/// node's open SSE connections. One query per node per tick however many receivers are connected; after each
/// successful read it sends a <see cref="FeedTick"/>, from which connections make their heartbeats — so a
/// heartbeat proves the database was read, and a node cut off from it falls silent (receivers then fail closed).
/// </summary>
public sealed partial class SecurityEventBroadcaster(
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    SecurityEventSignal signal,
    DatabaseMigrationState migrations,
    IOptionsMonitor<SharedSignalsOptions> options,
    TimeProvider clock,
    ILogger<SecurityEventBroadcaster> logger) : BackgroundService
{
    // A connection more than this many items behind is closed; its receiver reconnects with Last-Event-ID and
    // catches up from the database instead of holding the node's memory.
    private const int SubscriberCapacity = 4096;
    private const int BatchSize = 500;

    private readonly Lock gate = new();
    private readonly List<Channel<FeedItem>> subscribers = [];
    private long cursor = -1;
    private bool failing;

    /// <summary>Subscribe BEFORE reading the replay or snapshot, then skip live events up to what was read: nothing falls in between.</summary>
    public FeedSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, SingleWriter = true });
        lock (gate)
        {
            subscribers.Add(channel);
        }

        return new FeedSubscription(channel.Reader, () =>
        {
            lock (gate)
            {
                subscribers.Remove(channel);
            }
        });
    }

    /// <summary>The highest sequence this node has read and broadcast.</summary>
    public long Cursor => Math.Max(0, Interlocked.Read(ref cursor));

    public void PublishVerification(string streamId, string token) => Publish(new FeedVerification(streamId, token));

    public int ConnectionCount
    {
        get
        {
            lock (gate)
            {
                return subscribers.Count;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await BroadcastUntilStoppedAsync(stoppingToken);
        }
        finally
        {
            // The node is stopping: end every open stream so its receiver reconnects (elsewhere) at once.
            lock (gate)
            {
                foreach (var subscriber in subscribers)
                {
                    subscriber.Writer.TryComplete();
                }
            }
        }
    }

    private async Task BroadcastUntilStoppedAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (migrations.IsReady)
            {
                try
                {
                    await ReadAndBroadcastAsync(stoppingToken);
                    if (failing)
                    {
                        failing = false;
                        LogRecovered();
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // No tick while the database is away: connections send no heartbeat, receivers notice the silence.
                    if (!failing)
                    {
                        failing = true;
                        LogReadFailed(exception);
                    }
                }
            }

            await signal.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(10, options.CurrentValue.PollMilliseconds)), clock, stoppingToken);
        }
    }

    private async Task ReadAndBroadcastAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (cursor < 0)
        {
            Interlocked.Exchange(ref cursor, await db.SecurityEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0);
        }

        while (true)
        {
            var from = cursor;
            var events = await db.SecurityEvents.AsNoTracking().Where(e => e.Sequence > from).OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
            if (events.Count == 0)
            {
                break;
            }

            Publish(new FeedBatch(events));
            Interlocked.Exchange(ref cursor, events[^1].Sequence);
            if (events.Count < BatchSize)
            {
                break;
            }
        }

        Publish(new FeedTick(cursor, clock.GetUtcNow()));
    }

    private void Publish(FeedItem item)
    {
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                if (!subscriber.Writer.TryWrite(item))
                {
                    subscriber.Writer.TryComplete(new FeedOverflowException());
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the revocation feed failed; SSE connections get no heartbeat until it recovers")]
    private partial void LogReadFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading the revocation feed works again")]
    private partial void LogRecovered();
}

/// <summary>An SSE connection's place in the broadcast; dispose it when the connection ends.</summary>
public sealed class FeedSubscription(ChannelReader<FeedItem> reader, Action unsubscribe) : IDisposable
{
    public ChannelReader<FeedItem> Reader { get; } = reader;

    public void Dispose() => unsubscribe();
}

/// <summary>The connection fell too far behind the broadcast; it is closed and its receiver resumes from its Last-Event-ID.</summary>
public sealed class FeedOverflowException() : Exception("The SSE connection fell too far behind the revocation feed.");
