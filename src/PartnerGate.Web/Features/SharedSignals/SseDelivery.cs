using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// PartnerGate's low-latency channel: <c>GET /ssf/streams/{id}/sse</c>, server-sent events. Without Last-Event-ID
/// (or with one older than the retained feed: <c>reset</c> first) it sends a snapshot of the current state at
/// cursor N, then <c>synced</c>; with Last-Event-ID it replays every event after it, then <c>synced</c>; then live
/// events and, after each successful database read, a heartbeat every <c>SharedSignals:HeartbeatSeconds</c>.
/// </summary>
public sealed class SseDelivery(
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    SecurityEventBroadcaster broadcaster,
    SecurityEventTokenWriter tokens,
    SharedSignalsIssuer issuers,
    IOptionsMonitor<SharedSignalsOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock)
{
    private const int ReplayBatch = 500;

    public async Task HandleAsync(HttpContext context, string streamId)
    {
        // Ends with the receiver's disconnect, or when the node shuts down: an open stream must not hold shutdown up
        // (the receiver reconnects, to another node, with its Last-Event-ID).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = stop.Token;
        SsfStream stream;
        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            var (found, refusal) = await SsfStreamRules.FindForDeliveryAsync(db, context, streamId, SharedSignalsProtocol.SseDelivery, [SharedSignalsProtocol.StatusEnabled]);
            if (refusal is not null)
            {
                await refusal.ExecuteAsync(context);
                return;
            }

            stream = found!;
        }

        long? lastEventId = long.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        var connection = new Connection(context, stream, issuers.For(context).AbsoluteUri, tokens);

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        try
        {
            using var subscription = broadcaster.Subscribe();
            var delivered = await CatchUpAsync(connection, lastEventId, cancellationToken);
            await connection.WriteAsync("synced", null, JsonSerializer.Serialize(new { cursor = delivered }), cancellationToken);
            var heartbeatEvery = TimeSpan.FromSeconds(options.CurrentValue.HeartbeatSeconds);
            var lastHeartbeat = clock.GetTimestamp();

            await foreach (var item in subscription.Reader.ReadAllAsync(cancellationToken))
            {
                switch (item)
                {
                    case FeedBatch batch:
                        foreach (var securityEvent in batch.Events.Where(e => e.Sequence > delivered))
                        {
                            if (securityEvent.Sequence > delivered + 1)
                            {
                                delivered = await ReplayAsync(connection, delivered, securityEvent.Sequence - 1, cancellationToken);
                            }

                            await connection.WriteEventAsync(securityEvent, cancellationToken);
                            delivered = securityEvent.Sequence;
                        }

                        break;
                    case FeedVerification verification when verification.StreamId == stream.Id:
                        await connection.WriteAsync("set", null, verification.Token, cancellationToken);
                        break;
                    case FeedTick tick:
                        if (tick.Cursor > delivered)
                        {
                            delivered = await ReplayAsync(connection, delivered, tick.Cursor, cancellationToken);
                        }

                        // Ticks come every poll interval; a heartbeat is due once a heartbeat interval has passed, less
                        // a little so the jitter of the ticks does not stretch it to the next one.
                        if (clock.GetElapsedTime(lastHeartbeat) >= heartbeatEvery - TimeSpan.FromMilliseconds(50))
                        {
                            lastHeartbeat = clock.GetTimestamp();
                            await connection.WriteAsync("heartbeat", null, JsonSerializer.Serialize(new { cursor = delivered, time = tick.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) }), cancellationToken);
                        }

                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The receiver went away: it reconnects with its Last-Event-ID, so nothing is lost.
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (FeedOverflowException)
        {
            // Too far behind: ending the response makes the receiver reconnect and replay from the database.
        }
    }

    private async Task<long> CatchUpAsync(Connection connection, long? lastEventId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (lastEventId is { } after)
        {
            var (oldest, newest) = await FeedReads.RetainedRangeAsync(db, cancellationToken);

            // Older than the retained feed (pruned events in between), or newer than anything here (another
            // database): the receiver's state cannot be brought up to date by events alone.
            var replayable = after <= newest && (oldest is null || after >= oldest.Value - 1);
            if (replayable)
            {
                return await ReplayAsync(connection, after, long.MaxValue, cancellationToken);
            }

            await connection.WriteAsync("reset", null, "{}", cancellationToken);
        }

        var (cursor, state) = await FeedReads.SnapshotAsync(db, clock.GetUtcNow(), cancellationToken);
        foreach (var entry in state)
        {
            await connection.WriteSnapshotAsync(entry, cursor, cancellationToken);
        }

        return cursor;
    }

    /// <summary>Sends every event after <paramref name="after"/> up to <paramref name="upTo"/> from the database; returns the last sent.</summary>
    private async Task<long> ReplayAsync(Connection connection, long after, long upTo, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var delivered = after;
        while (delivered < upTo)
        {
            var events = await FeedReads.EventsAfterAsync(db, delivered, ReplayBatch, cancellationToken);
            foreach (var securityEvent in events.TakeWhile(e => e.Sequence <= upTo))
            {
                await connection.WriteEventAsync(securityEvent, cancellationToken);
                delivered = securityEvent.Sequence;
            }

            if (events.Count < ReplayBatch)
            {
                break;
            }
        }

        return delivered;
    }

    private sealed class Connection(HttpContext context, SsfStream stream, string issuer, SecurityEventTokenWriter tokens)
    {
        public Task WriteEventAsync(SecurityEvent securityEvent, CancellationToken cancellationToken) =>
            SharedSignalsProtocol.Delivers(stream, securityEvent.Kind)
                ? WriteAsync("set", securityEvent.Sequence, tokens.Write(issuer, stream.Audience, securityEvent), cancellationToken)
                : Task.CompletedTask;

        public Task WriteSnapshotAsync(SecurityEvent entry, long cursor, CancellationToken cancellationToken) =>
            SharedSignalsProtocol.Delivers(stream, entry.Kind)
                ? WriteAsync("set", cursor, tokens.Write(issuer, stream.Audience, SecurityEventClaims.For(entry, cursor, "snapshot-" + entry.Id.ToString("N"))), cancellationToken)
                : Task.CompletedTask;

        public async Task WriteAsync(string eventName, long? id, string data, CancellationToken cancellationToken)
        {
            var message = new StringBuilder().Append("event: ").Append(eventName).Append('\n');
            if (id is { } sequence)
            {
                message.Append("id: ").Append(sequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            message.Append("data: ").Append(data).Append("\n\n");
            await context.Response.WriteAsync(message.ToString(), cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
        }
    }
}
