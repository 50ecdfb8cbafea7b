using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Data.Configurations;
using PartnerGate.Web.Infrastructure.Database;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Grants;

/// <summary>
/// Runs <see cref="RunAccessSweepCommand"/> every <c>Sweep:IntervalSeconds</c> (default 15, so a grant
/// ends within a minute of NotAfter even in the display; tokens check NotAfter themselves). With several
/// nodes only the holder of the database lease sweeps (access review deadlines included, so an undecided grant is
/// revoked once, by one node).
/// </summary>
public sealed partial class AccessSweepService(
    IServiceProvider services,
    DatabaseMigrationState migrations,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<AccessSweepService> logger) : BackgroundService
{
    private readonly string nodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Sweep:Enabled", true))
        {
            return;
        }

        var interval = TimeSpan.FromSeconds(configuration.GetValue("Sweep:IntervalSeconds", 15));
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            if (!migrations.IsReady)
            {
                continue;
            }

            try
            {
                await SweepOnceAsync(interval, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A failed sweep (database briefly away) is retried at the next tick.
                LogSweepFailed(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Takes the lease and sweeps once; false when another node holds the lease.</summary>
    public async Task<bool> SweepOnceAsync(TimeSpan leaseFor, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>();
        await using (var db = await factory.CreateDbContextAsync(cancellationToken))
        {
            var now = clock.GetUtcNow();
            var until = now + leaseFor + leaseFor;
            var taken = await db.SweepLeases
                .Where(l => l.Name == SweepLeaseConfiguration.AccessSweep && (l.ExpiresAt < now || l.Holder == nodeId))
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, nodeId).SetProperty(l => l.ExpiresAt, until), cancellationToken);
            if (taken != 1)
            {
                return false;
            }
        }

        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(SystemPrincipal.Create());
        var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunAccessSweepCommand(), cancellationToken);
        if (result.IsSuccess && result.Value is { } outcome && outcome != AccessSweepOutcome.Nothing)
        {
            LogSwept(outcome.RequestsExpired, outcome.GrantsActivated, outcome.GrantsExpired, outcome.ExpiryNotices, outcome.GrantsSuspended, outcome.GrantsResumed,
                outcome.ReviewsCompleted, outcome.ReviewGrantsRevoked, outcome.PostureMails);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access sweep: {RequestsExpired} requests expired, {GrantsActivated} grants activated, {GrantsExpired} grants expired, {ExpiryNotices} expiry notices, {GrantsSuspended} grants suspended and {GrantsResumed} resumed by posture, {ReviewsCompleted} access reviews completed with {ReviewGrantsRevoked} undecided grants revoked, {PostureMails} posture mails queued")]
    private partial void LogSwept(int requestsExpired, int grantsActivated, int grantsExpired, int expiryNotices, int grantsSuspended, int grantsResumed, int reviewsCompleted, int reviewGrantsRevoked, int postureMails);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access sweep failed; retrying at the next tick")]
    private partial void LogSweepFailed(Exception exception);
}
