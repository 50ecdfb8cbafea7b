using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Infrastructure.Mediator;

/// <summary>
/// Last before the handler, for commands only: opens a fresh context and transaction, runs the handler,
/// and on success writes the audit events and the changes together (invariant 6). A failed result or an
/// exception rolls everything back: bad input changes nothing (invariant 10). Queries pass through.
/// </summary>
public sealed class UnitOfWorkBehavior<TMessage, TResponse>(
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    IUnitOfWork unitOfWork,
    ICurrentUser currentUser,
    IPublisher publisher,
    TimeProvider clock)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var work = (UnitOfWork)unitOfWork;
        if (message is not IBaseCommand || work.IsOpen)
        {
            // Queries read through their own contexts; a command sent from inside another joins its unit.
            return await next(message, cancellationToken);
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        TResponse response = default!;
        try
        {
            // The execution strategy may retry the whole unit on a transient failure (PostgreSQL, SQL Server),
            // so everything the unit collected is reset at the start of each attempt.
            await strategy.ExecuteAsync(async ct =>
            {
                db.ChangeTracker.Clear();
                work.Open(db);
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                response = await next(message, ct);
                if (response is IResultBase { IsSuccess: false })
                {
                    await transaction.RollbackAsync(ct);
                    return;
                }

                await AuditTrail.AppendAsync(db, work.AuditEntries, currentUser.ToAuditActor(), clock.GetUtcNow(), ct);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException) when (Failures<TResponse>.CanRepresent)
        {
            return Failures<TResponse>.From(Error.Conflict("concurrent_change",
                "Someone else changed this at the same moment. Reload to see the current state."));
        }
        finally
        {
            work.Close();
        }

        if (response is not IResultBase { IsSuccess: false })
        {
            foreach (var notification in work.Notifications)
            {
                await publisher.Publish(notification, cancellationToken);
            }
        }

        return response;
    }
}
