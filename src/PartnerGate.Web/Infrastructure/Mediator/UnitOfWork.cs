using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using PartnerGate.Data;
using PartnerGate.Domain.Auditing;
using PartnerGate.Web.Infrastructure.Auditing;

namespace PartnerGate.Web.Infrastructure.Mediator;

/// <summary>
/// What a command handler writes through: one <see cref="PartnerGateDbContext"/> in one transaction,
/// audit entries that commit with it, and domain events that are published only after it committed.
/// </summary>
public interface IUnitOfWork
{
    PartnerGateDbContext Db { get; }

    /// <summary>Records a state change for the audit trail; <paramref name="details"/> is serialised as JSON and must hold no secrets.</summary>
    void Audit(string action, string targetType, string targetId, Guid? partnerId, object? details = null);

    /// <summary>Queues a domain event to publish after the transaction commits.</summary>
    void PublishAfterCommit(INotification notification);

    /// <summary>
    /// Puts a change that ends or restores tokens on the revocation feed: stored in the commit's transaction,
    /// delivered to resource servers after it (invariant 5). Emit one wherever a grant, client or partner stops
    /// (or starts again) backing tokens.
    /// </summary>
    void EmitSecurityEvent(SecurityEventEntry entry);

    /// <summary>
    /// Queues a set-based write (ExecuteUpdate/ExecuteDelete) to run inside the commit transaction, after the
    /// staged changes are saved: for changes to many rows that must not be loaded one by one.
    /// </summary>
    void ExecuteInTransaction(Func<PartnerGateDbContext, CancellationToken, Task> write);
}

internal sealed class UnitOfWork : IUnitOfWork
{
    private static readonly JsonSerializerOptions DetailsJson = new(JsonSerializerDefaults.Web);
    private PartnerGateDbContext? db;

    public PartnerGateDbContext Db => db ?? throw new InvalidOperationException("No unit of work is open: only commands write, and they get one from the pipeline.");

    public bool IsOpen => db is not null;
    public List<AuditEntry> AuditEntries { get; } = [];
    public List<INotification> Notifications { get; } = [];
    public List<Func<PartnerGateDbContext, CancellationToken, Task>> TransactionalWrites { get; } = [];
    public List<SecurityEventEntry> SecurityEvents { get; } = [];

    public void Audit(string action, string targetType, string targetId, Guid? partnerId, object? details = null) =>
        AuditEntries.Add(new AuditEntry(action, targetType, targetId, partnerId, details is null ? null : JsonSerializer.Serialize(details, DetailsJson)));

    public void PublishAfterCommit(INotification notification) => Notifications.Add(notification);

    public void EmitSecurityEvent(SecurityEventEntry entry) => SecurityEvents.Add(entry);

    public void ExecuteInTransaction(Func<PartnerGateDbContext, CancellationToken, Task> write) => TransactionalWrites.Add(write);

    /// <summary>Audit events of this unit that reached the database: they turn Added → Unchanged only when the commit succeeded.</summary>
    private readonly List<AuditEvent> committedAuditEvents = [];

    internal void Open(PartnerGateDbContext context)
    {
        db = context;
        AuditEntries.Clear();
        Notifications.Clear();
        TransactionalWrites.Clear();
        SecurityEvents.Clear();
        committedAuditEvents.Clear();
        context.ChangeTracker.StateChanged += OnStateChanged;
    }

    internal void Close()
    {
        if (db is not null)
        {
            db.ChangeTracker.StateChanged -= OnStateChanged;
        }

        db = null;

        // The pipeline accepts the audit events' changes only after the transaction committed (a retried attempt's
        // events are detached, a rolled-back unit's stay Added), so only committed events are published and logged.
        if (committedAuditEvents.Count > 0)
        {
            Notifications.Add(new AuditEventsCommitted(committedAuditEvents.OrderBy(e => e.Sequence).ToArray()));
            committedAuditEvents.Clear();
        }
    }

    private void OnStateChanged(object? sender, EntityStateChangedEventArgs change)
    {
        if (change is { OldState: EntityState.Added, NewState: EntityState.Unchanged, Entry.Entity: AuditEvent auditEvent })
        {
            committedAuditEvents.Add(auditEvent);
        }
    }
}
