using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Data.Configurations;
using PartnerGate.Web.Infrastructure.Database;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>How one push of a SET went (RFC 8935 §2.3/2.4).</summary>
public enum PushOutcome
{
    /// <summary>202: the receiver has it.</summary>
    Accepted,

    /// <summary>400 with an error: the receiver rejected this SET; it is recorded and not sent again.</summary>
    Rejected,

    /// <summary>Network error, 5xx or anything else: retried later from the same event.</summary>
    Failed,
}

/// <summary>Sends one SET to a push stream's endpoint, with the stream's protected Authorization header.</summary>
public sealed class PushSender(IHttpClientFactory httpClients, IDataProtectionProvider dataProtection, IDbContextFactory<PartnerGateDbContext> contextFactory)
{
    public const string HttpClientName = "PartnerGate.SharedSignals.Push";

    public async Task<(PushOutcome Outcome, string? Error)> SendAsync(SsfStream stream, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, stream.EndpointUrl)
        {
            Content = new StringContent(token),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(SharedSignalsProtocol.SecurityEventMediaType);
        request.Headers.Accept.ParseAdd("application/json");
        if (stream.ProtectedAuthorizationHeader is { } protectedHeader)
        {
            request.Headers.TryAddWithoutValidation("Authorization", dataProtection.AuthorizationHeaderProtector().Unprotect(protectedHeader));
        }

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return (PushOutcome.Accepted, null);
            }

            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                return (PushOutcome.Rejected, await RejectionAsync(response, cancellationToken));
            }

            return (PushOutcome.Failed, $"The receiver answered {(int)response.StatusCode}.");
        }
        catch (HttpRequestException exception)
        {
            return (PushOutcome.Failed, $"The receiver could not be reached ({exception.HttpRequestError}).");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (PushOutcome.Failed, "The receiver did not answer in time.");
        }
    }

    /// <summary>Pushes a verification SET now; a failure is not retried (the receiver asks again).</summary>
    public async Task TryVerifyAsync(string streamId, string token, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (await db.SsfStreams.AsNoTracking().SingleOrDefaultAsync(s => s.Id == streamId, cancellationToken) is { EndpointUrl: not null } stream)
        {
            await SendAsync(stream, token, cancellationToken);
        }
    }

    /// <summary>RFC 8935 §2.4: {"err": ..., "description": ...}; only these two short strings are kept (never the body as a whole).</summary>
    private static async Task<string> RejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var err = body?["err"]?.GetValue<string>() ?? "unknown";
            var description = body?["description"]?.GetValue<string>();
            var text = $"Rejected: {err}{(description is null ? string.Empty : " — " + description)}";
            return text.Length > 1000 ? text[..1000] : text;
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return "Rejected (400) without an RFC 8935 error body.";
        }
    }
}

/// <summary>
/// Push delivery (RFC 8935). One node at a time holds the <c>ssf-push-delivery</c> lease; it wakes when a command on
/// this node commits events, or every second, and sends each stream's events above its cursor in order: 202 moves the
/// cursor; 400 is recorded in LastDeliveryError and skipped (a rejected SET is not retried); anything else backs the
/// stream off (1 s, doubling to 60 s) and retries from the same event. It also prunes feed entries older than
/// <c>SharedSignals:RetentionDays</c>, once an hour.
/// </summary>
public sealed partial class PushDeliveryService(
    IServiceProvider services,
    PushSender sender,
    SecurityEventTokenWriter tokens,
    SharedSignalsIssuer issuers,
    SecurityEventSignal signal,
    DatabaseMigrationState migrations,
    IOptionsMonitor<SharedSignalsOptions> options,
    TimeProvider clock,
    ILogger<PushDeliveryService> logger) : BackgroundService
{
    public static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestBackOff = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LeaseFor = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);
    private const int BatchSize = 100;

    private readonly string nodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    // The current back-off of each failing stream, on the lease holder only: a new holder starts again at 1 s.
    private readonly Dictionary<string, TimeSpan> backOffs = new(StringComparer.Ordinal);
    private DateTimeOffset nextPrune = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (migrations.IsReady)
            {
                try
                {
                    await DeliverOnceAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogDeliveryFailed(exception);
                }
            }

            await signal.WaitAsync(Interval, clock, stoppingToken);
        }
    }

    /// <summary>Takes (or renews) the lease and delivers what is due; false when another node holds the lease.</summary>
    public async Task<bool> DeliverOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var until = now + LeaseFor;
        var taken = await db.SweepLeases
            .Where(l => l.Name == SweepLeaseConfiguration.SsfPushDelivery && (l.ExpiresAt < now || l.Holder == nodeId))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, nodeId).SetProperty(l => l.ExpiresAt, until), cancellationToken);
        if (taken != 1)
        {
            return false;
        }

        if (now >= nextPrune)
        {
            await PruneAsync(db, now, cancellationToken);
            nextPrune = now + PruneEvery;
        }

        var issuer = issuers.ForBackground();
        var streams = await db.SsfStreams.AsNoTracking()
            .Where(s => s.DeliveryMethod == SharedSignalsProtocol.PushDelivery && s.Status == SharedSignalsProtocol.StatusEnabled && s.EndpointUrl != null)
            .ToListAsync(cancellationToken);
        foreach (var stream in streams.Where(s => s.NextAttemptAt is null || s.NextAttemptAt <= now))
        {
            if (issuer is null)
            {
                // No request has told this node its address and none is configured (TokenService:Issuer): a SET with a
                // guessed issuer would fail verification, so wait.
                break;
            }

            await DeliverStreamAsync(db, stream, issuer.AbsoluteUri, cancellationToken);
        }

        return true;
    }

    private async Task DeliverStreamAsync(PartnerGateDbContext db, SsfStream stream, string issuer, CancellationToken cancellationToken)
    {
        var cursor = stream.Cursor;
        string? rejection = null;
        var delivered = false;
        var events = await FeedReads.EventsAfterAsync(db, cursor, BatchSize, cancellationToken);
        foreach (var securityEvent in events)
        {
            if (SharedSignalsProtocol.Delivers(stream, securityEvent.Kind))
            {
                var (outcome, error) = await sender.SendAsync(stream, tokens.Write(issuer, stream.Audience, securityEvent), cancellationToken);
                if (outcome == PushOutcome.Failed)
                {
                    await RecordFailureAsync(db, stream, cursor, error!, cancellationToken);
                    return;
                }

                delivered = true;
                if (outcome == PushOutcome.Rejected)
                {
                    rejection = error;
                    LogRejected(stream.Id, securityEvent.Sequence, error!);
                }
            }

            cursor = securityEvent.Sequence;
        }

        backOffs.Remove(stream.Id);
        if (cursor == stream.Cursor && stream.NextAttemptAt is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var moved = cursor;
        var lastError = rejection;
        await db.SsfStreams.Where(s => s.Id == stream.Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Cursor, moved)
                .SetProperty(x => x.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(x => x.LastDeliveryError, x => lastError ?? (delivered ? null : x.LastDeliveryError))
                .SetProperty(x => x.LastDeliveryAt, x => delivered ? now : x.LastDeliveryAt), cancellationToken);
        if (events.Count == BatchSize)
        {
            // More waiting: come back at once rather than after the interval.
            signal.Notify(signal.LastKnownSequence);
        }
    }

    private async Task RecordFailureAsync(PartnerGateDbContext db, SsfStream stream, long cursor, string error, CancellationToken cancellationToken)
    {
        var backOff = backOffs.TryGetValue(stream.Id, out var previous) ? TimeSpan.FromTicks(Math.Min(previous.Ticks * 2, LongestBackOff.Ticks)) : FirstBackOff;
        backOffs[stream.Id] = backOff;
        var next = clock.GetUtcNow() + backOff;
        LogPushFailed(stream.Id, error, backOff.TotalSeconds);
        await db.SsfStreams.Where(s => s.Id == stream.Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Cursor, cursor)
                .SetProperty(x => x.NextAttemptAt, next)
                .SetProperty(x => x.LastDeliveryError, error), cancellationToken);
    }

    /// <summary>
    /// Drops feed entries past retention, always keeping the newest one: sequences continue from the highest kept,
    /// so pruning everything would restart them and make old Last-Event-IDs look current.
    /// </summary>
    private async Task PruneAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - TimeSpan.FromDays(Math.Max(1, options.CurrentValue.RetentionDays));
        var newest = await db.SecurityEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        var pruned = await db.SecurityEvents.Where(e => e.OccurredAt < cutoff && e.Sequence < newest).ExecuteDeleteAsync(cancellationToken);
        if (pruned > 0)
        {
            LogPruned(pruned);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push delivery failed; retrying")]
    private partial void LogDeliveryFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push to stream {StreamId} failed: {Error}; next attempt in {Seconds} s")]
    private partial void LogPushFailed(string streamId, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} rejected the SET with sequence {Sequence}: {Error}")]
    private partial void LogRejected(string streamId, long sequence, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} revocation-feed entries past retention")]
    private partial void LogPruned(int count);
}
