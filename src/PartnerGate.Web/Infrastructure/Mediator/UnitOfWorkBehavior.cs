using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Infrastructure.Mediator;

/// <summary>
/// Last before the handler, for commands only: gives the handler a fresh context, and on success writes
/// its changes and their audit events in one transaction (invariant 6), then publishes its domain events.
/// A failed result or an exception saves nothing: bad input changes nothing (invariant 10). Queries pass through.
/// </summary>
public sealed partial class UnitOfWorkBehavior<TMessage, TResponse>(
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    IUnitOfWork unitOfWork,
    ICurrentUser currentUser,
    IPublisher publisher,
    TimeProvider clock,
    ILogger<UnitOfWorkBehavior<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly string ConflictMessage =
        (Attribute.GetCustomAttribute(typeof(TMessage), typeof(ConcurrencyConflictMessageAttribute)) as ConcurrencyConflictMessageAttribute)?.Message
        ?? "Someone else changed this at the same moment. Reload to see the current state.";

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var work = (UnitOfWork)unitOfWork;
        if (message is not IBaseCommand || work.IsOpen)
        {
            // Queries read through their own contexts; a command sent from inside another joins its unit.
            return await next(message, cancellationToken);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        TResponse response;
        try
        {
            work.Open(db);
            response = await next(message, cancellationToken);
            if (response is IResultBase { IsSuccess: false })
            {
                // Refused: nothing the handler staged is saved, and nothing is audited.
                return response;
            }

            var lastSequence = await CommitAsync(db, work, cancellationToken);
            if (lastSequence is { } sequence)
            {
                work.Notifications.Add(new SecurityEventsAppended(sequence));
            }
        }
        catch (DbUpdateConcurrencyException) when (Failures<TResponse>.CanRepresent)
        {
            return Failures<TResponse>.From(Error.Conflict("concurrent_change", ConflictMessage));
        }
        catch (DbUpdateException exception) when (Failures<TResponse>.CanRepresent && DatabaseErrors.IsUniqueViolation(exception))
        {
            // The handler checked the name was free; someone else took it between that check and this commit.
            return Failures<TResponse>.From(Error.Conflict("already_exists",
                "Something with that name was created at the same moment. Reload and choose another name."));
        }
        finally
        {
            work.Close();
        }

        foreach (var notification in work.Notifications)
        {
            try
            {
                await publisher.Publish(notification, CancellationToken.None);
            }
            catch (Exception exception)
            {
                // The change is committed: a failing live view or mail writer must not turn it into an error
                // for the user, who would then retry something that already happened.
                LogPublishFailed(exception, notification.GetType().Name);
            }
        }

        return response;
    }

    /// <summary>
    /// Writes the staged changes and their audit events in one short transaction. The handler ran before
    /// it without holding locks (concurrent edits are caught by version columns); the transaction starts
    /// only here, so SQLite's single writer lock is held for milliseconds, not for the whole handler.
    /// </summary>
    /// <returns>The sequence of the last security event written, or null when the command emitted none.</returns>
    private async Task<long?> CommitAsync(PartnerGateDbContext db, UnitOfWork work, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var appended = new List<Domain.Auditing.AuditEvent>();
        var securityEvents = new List<SecurityEvent>();
        var auditActor = currentUser.ToAuditActor();
        var now = clock.GetUtcNow();

        // The execution strategy may run this again after a transient failure (PostgreSQL, SQL Server):
        // changes stay tracked until the commit succeeded, and the previous attempt's audit events are dropped.
        await strategy.ExecuteAsync(async ct =>
        {
            foreach (var stale in appended.Cast<object>().Concat(securityEvents))
            {
                db.Entry(stale).State = EntityState.Detached;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            appended.Clear();
            appended.AddRange(await AuditTrail.AppendAsync(db, work.AuditEntries, auditActor, now, ct));
            securityEvents.Clear();
            securityEvents.AddRange(await SecurityEventLog.AppendAsync(db, work.SecurityEvents, now, ct));
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, ct);
            foreach (var write in work.TransactionalWrites)
            {
                await write(db, ct);
            }

            await transaction.CommitAsync(ct);
        }, cancellationToken);
        db.ChangeTracker.AcceptAllChanges();
        return securityEvents.Count > 0 ? securityEvents[^1].Sequence : null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing {Notification} after commit failed; the change itself is saved")]
    private partial void LogPublishFailed(Exception exception, string notification);
}
