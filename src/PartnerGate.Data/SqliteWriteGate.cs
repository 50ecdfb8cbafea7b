using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PartnerGate.Data;

/// <summary>
/// SQLite allows one writer at a time. Without help, concurrent write transactions collide and the losers
/// wait in SQLite's busy handler, which sleeps and retries (up to 100 ms a time) — under load most time is
/// spent asleep. This interceptor queues write transactions of one process on one database file in order
/// instead (an async semaphore, no thread blocked), so each starts the moment the previous one ends. With
/// WAL (set at start-up) readers never wait for it. Other processes on the same file still meet the busy
/// handler, as before. A wait longer than <see cref="MaximumWait"/> proceeds without the gate (to the busy
/// handler), so a flow that ever held two transactions at once could be slowed, never deadlocked. Only
/// asynchronous transaction starts are queued.
/// </summary>
public sealed class SqliteWriteGate : IDbTransactionInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriteGate Instance = new();
    public static readonly TimeSpan MaximumWait = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<DbConnection, SemaphoreSlim> Held = [];

    // A committed transaction no longer knows its connection: remember it when the transaction starts.
    private static readonly ConditionalWeakTable<DbTransaction, DbConnection> Owners = [];

    private SqliteWriteGate()
    {
    }

    // Synchronous callers (Data Protection's key store, Identity's sync paths) are not queued: blocking a
    // thread-pool thread here could starve the very continuation that would end the current writer's
    // transaction. They meet SQLite's busy handler, as before.
    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result) =>
        result;

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        var gate = GateFor(connection);
        if (await gate.WaitAsync(MaximumWait, cancellationToken))
        {
            Held.AddOrUpdate(connection, gate);
        }

        return result;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Owners.AddOrUpdate(result, connection);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Owners.AddOrUpdate(result, connection);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(transaction);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(transaction);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(transaction);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(transaction);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(transaction);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(transaction);
        return Task.CompletedTask;
    }

    // A transaction disposed without commit or rollback (an exception in between) ends at the latest when
    // its connection closes.
    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return ValueTask.FromResult(result);
    }

    private static SemaphoreSlim GateFor(DbConnection connection)
    {
        var file = connection is SqliteConnection sqlite ? sqlite.DataSource : connection.ConnectionString;
        return Gates.GetOrAdd(file ?? string.Empty, static _ => new SemaphoreSlim(1, 1));
    }

    private static void Release(DbTransaction transaction)
    {
        if (Owners.TryGetValue(transaction, out var connection))
        {
            Owners.Remove(transaction);
            Release(connection);
        }
    }

    private static void Release(DbConnection? connection)
    {
        if (connection is not null && Held.TryGetValue(connection, out var gate) && Held.Remove(connection))
        {
            gate.Release();
        }
    }
}
