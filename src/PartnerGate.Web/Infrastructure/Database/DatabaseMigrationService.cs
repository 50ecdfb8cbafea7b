using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PartnerGate.Data;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.Web.Infrastructure.Database;

/// <summary>Whether start-up migration (and demo seeding) has finished; the readiness check reports it.</summary>
public sealed class DatabaseMigrationState
{
    private volatile bool ready;

    public bool IsReady => ready;

    public void MarkReady() => ready = true;
}

/// <summary>
/// Applies the provider's migrations at start-up — never EnsureCreated — retrying while the database is
/// not reachable yet (a server that starts beside the app), then seeds the demo data when asked to.
/// Runs in StartAsync, so the app does not serve requests against an old schema.
/// </summary>
internal sealed partial class DatabaseMigrationService(
    IServiceProvider services,
    DatabaseMigrationState state,
    IConfiguration configuration,
    ILogger<DatabaseMigrationService> logger) : IHostedService
{
    private const int MaxAttempts = 8;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>();
                await using (var db = await factory.CreateDbContextAsync(cancellationToken))
                {
                    var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                    if (pending.Count > 0)
                    {
                        LogApplying(pending.Count, string.Join(", ", pending));
                        await db.Database.MigrateAsync(cancellationToken);
                    }

                    if (db.Database.IsSqlite())
                    {
                        // Write-ahead logging: readers never wait for the writer, and a commit costs one
                        // sync instead of two. The mode is stored in the file, so this runs once per database.
                        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                    }
                }

                if (configuration.GetValue<bool>("Demo:Seed"))
                {
                    await scope.ServiceProvider.GetRequiredService<DemoDataSeeder>().SeedAsync(cancellationToken);
                }

                state.MarkReady();
                return;
            }
            catch (Exception exception) when (attempt < MaxAttempts && IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt - 1)));
                LogRetrying(exception.GetType().Name, attempt, MaxAttempts, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Only connection-level failures are worth waiting for; a broken migration must stop start-up at once.</summary>
    private static bool IsTransient(Exception exception) => exception is System.Net.Sockets.SocketException or TimeoutException
        || exception.GetType().Name is "NpgsqlException" or "SqlException"
        || (exception.InnerException is { } inner && IsTransient(inner));

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} database migration(s): {Migrations}")]
    private partial void LogApplying(int count, string migrations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable ({Error}); attempt {Attempt} of {MaxAttempts}, retrying in {DelaySeconds} s")]
    private partial void LogRetrying(string error, int attempt, int maxAttempts, double delaySeconds);
}

/// <summary>Ready only when the schema is current and the database answers.</summary>
internal sealed class DatabaseReadinessCheck(DatabaseMigrationState state, IDbContextFactory<PartnerGateDbContext> factory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!state.IsReady)
        {
            return HealthCheckResult.Unhealthy("Database migrations have not finished.");
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy("Database reachable, schema current.")
            : HealthCheckResult.Unhealthy("Database not reachable.");
    }
}
