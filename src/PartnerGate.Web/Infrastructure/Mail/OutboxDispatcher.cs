using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Data.Configurations;
using PartnerGate.Domain.Notifications;
using PartnerGate.Web.Infrastructure.Database;

namespace PartnerGate.Web.Infrastructure.Mail;

/// <summary>
/// Sends the outbox. Runs every few seconds and at once when <see cref="OutboxSignal"/> is poked; with
/// several nodes only the holder of the <c>outbox-dispatch</c> lease sends, so no mail goes out twice.
/// Without an SMTP server the due messages are held for the admin page instead. Each message is saved
/// as soon as it is decided, so one failure (or a crash mid-batch) never loses the others' outcome.
/// </summary>
public sealed partial class OutboxDispatcher(
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    IMailTransport transport,
    IOptionsMonitor<SmtpOptions> smtpOptions,
    IOptions<MailDispatchOptions> dispatchOptions,
    OutboxSignal signal,
    DatabaseMigrationState migrationState,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public const int BatchSize = 50;

    /// <summary>Renewed before every send; longer than one send may take (<see cref="SmtpOptions.MaxTimeoutSeconds"/>).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    // Serialises passes on this node: the lease keeps other nodes out, but the background loop and an
    // explicit DispatchDueAsync call on the same node hold the same lease and would both send a message.
    private readonly SemaphoreSlim passLock = new(1, 1);

    /// <summary>This node's name in the lease row: machine, process and instance, so two processes on one host differ.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>
    /// One pass: takes the lease, then sends (or holds) up to <see cref="BatchSize"/> due messages, oldest
    /// first. Returns how many messages it handled — sent, failed or held; 0 when another node holds the lease.
    /// </summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await passLock.WaitAsync(cancellationToken);
        try
        {
            return await DispatchOnceAsync(cancellationToken);
        }
        finally
        {
            passLock.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = dispatchOptions.Value;
        if (!settings.BackgroundDispatch)
        {
            LogBackgroundOff();
            return;
        }

        var interval = TimeSpan.FromSeconds(Math.Max(1, settings.DispatchIntervalSeconds));
        var smtp = smtpOptions.CurrentValue;
        if (smtp.IsConfigured)
        {
            LogStartedWithSmtp(interval.TotalSeconds, smtp.Host, smtp.Port, smtp.Security, !string.IsNullOrEmpty(smtp.UserName));
        }
        else
        {
            LogStartedWithoutSmtp(interval.TotalSeconds);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            try
            {
                // Start-up migration runs before hosted services start; this only guards a host that starts them concurrently.
                if (migrationState.IsReady)
                {
                    handled = await DispatchDueAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // A database hiccup must not end the loop: the next pass retries.
                LogPassFailed(exception);
            }

            // A full batch means more may be due right now; otherwise wait for a poke or the interval.
            if (handled < BatchSize)
            {
                try
                {
                    await signal.WaitAsync(interval, clock, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // Hand the lease back so another node takes over at once instead of after it expires.
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var nodeId = NodeId;
            await db.SweepLeases
                .Where(l => l.Name == SweepLeaseConfiguration.OutboxDispatch && l.Holder == nodeId)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, DateTimeOffset.UnixEpoch), cancellationToken);
        }
        catch (Exception exception)
        {
            // Best effort, including when the host's shutdown time ran out (open connections held it up): an
            // unreleased lease only delays the next node by the lease's duration, and a throw here would fail the
            // whole host's stop.
            LogLeaseNotReleased(exception.GetType().Name);
        }
    }

    public override void Dispose()
    {
        passLock.Dispose();
        base.Dispose();
    }

    private async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        // Mail held while no SMTP server was configured goes out once one is: held is "not yet", never "never".
        var smtpConfigured = smtpOptions.CurrentValue.IsConfigured;
        var dueNow = db.OutboxMessages.Where(m =>
            (m.Status == OutboxStatus.Pending || (smtpConfigured && m.Status == OutboxStatus.Held)) && m.NextAttemptAt <= now);

        // Look before taking the lease: an idle node then reads every few seconds but never writes,
        // which keeps SQLite's single writer lock free for the commands that matter.
        if (!await dueNow.AnyAsync(cancellationToken))
        {
            return 0;
        }

        if (!await TryTakeLeaseAsync(db, now, cancellationToken))
        {
            LogLeaseHeldElsewhere();
            return 0;
        }

        var due = await dueNow
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        if (!smtpConfigured)
        {
            foreach (var message in due)
            {
                message.Hold();
            }

            await db.SaveChangesAsync(cancellationToken);
            LogHeld(due.Count);
            return due.Count;
        }

        var handled = 0;
        foreach (var message in due)
        {
            // Renewed before each send: a slow mail server must not let the lease lapse mid-batch, or a
            // second node could pick up the same message and send it again.
            if (!await TryTakeLeaseAsync(db, clock.GetUtcNow(), cancellationToken))
            {
                LogLeaseLost(handled, due.Count);
                break;
            }

            try
            {
                await transport.SendAsync(new OutgoingMail(message.Id, message.To, message.Subject, message.Body), cancellationToken);
                message.MarkSent(clock.GetUtcNow());
                LogSent(message.Id, message.Kind, message.Attempts);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                message.MarkFailed(Describe(exception), clock.GetUtcNow());
                if (message.Status == OutboxStatus.Failed)
                {
                    LogGaveUp(message.Id, message.Kind, message.Attempts, message.LastError!);
                }
                else
                {
                    LogSendFailed(message.Id, message.Kind, message.Attempts, message.NextAttemptAt, message.LastError!);
                }
            }

            // Not cancellable: a mail the server accepted must be recorded as sent even while the host
            // stops, or the next node would send it again.
            await db.SaveChangesAsync(CancellationToken.None);
            handled++;
        }

        return handled;
    }

    /// <summary>One conditional UPDATE: held when the lease had expired or is already ours (renewal).</summary>
    private async Task<bool> TryTakeLeaseAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nodeId = NodeId;
        var expiresAt = now + LeaseDuration;
        var rows = await db.SweepLeases
            .Where(l => l.Name == SweepLeaseConfiguration.OutboxDispatch && (l.ExpiresAt < now || l.Holder == nodeId))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, nodeId).SetProperty(l => l.ExpiresAt, expiresAt), cancellationToken);
        return rows == 1;
    }

    /// <summary>What went wrong, for the admin page and the log: the exception's kind and message, never the mail.</summary>
    private static string Describe(Exception exception) => exception switch
    {
        MailKit.Net.Smtp.SmtpCommandException command => $"SMTP {(int)command.StatusCode} {command.ErrorCode}: {command.Message}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox dispatch every {IntervalSeconds} s through SMTP {Host}:{Port} ({Security}, authenticated: {Authenticated})")]
    private partial void LogStartedWithSmtp(double intervalSeconds, string host, int port, SmtpSecurity security, bool authenticated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No SMTP server configured (Smtp:Host): notifications are held in the outbox for administrators (checked every {IntervalSeconds} s)")]
    private partial void LogStartedWithoutSmtp(double intervalSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox background dispatch is off (Mail:BackgroundDispatch=false)")]
    private partial void LogBackgroundOff();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox dispatch lease is held by another node")]
    private partial void LogLeaseHeldElsewhere();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch lease lost after {Handled} of {Due} messages; the rest waits for the next pass")]
    private partial void LogLeaseLost(int handled, int due);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} outbox message(s) held: no SMTP server configured")]
    private partial void LogHeld(int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox message {MessageId} ({Kind}) sent on attempt {Attempt}")]
    private partial void LogSent(Guid messageId, string kind, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} ({Kind}) failed on attempt {Attempt}, next try at {NextAttemptAt:O}: {Error}")]
    private partial void LogSendFailed(Guid messageId, string kind, int attempt, DateTimeOffset nextAttemptAt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} ({Kind}) failed {Attempts} times; giving up: {Error}")]
    private partial void LogGaveUp(Guid messageId, string kind, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch pass failed; retrying at the next pass")]
    private partial void LogPassFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox dispatch lease not released at shutdown ({Error})")]
    private partial void LogLeaseNotReleased(string error);
}
