using Mediator;
using PartnerGate.Domain.Auditing;

namespace PartnerGate.Web.Infrastructure.Auditing;

/// <summary>
/// Writes each committed audit event as one structured log record under <see cref="Category"/> with
/// <see cref="EventId"/>, so any log pipeline (console JSON, OpenTelemetry/OTLP, a SIEM agent) collects the trail
/// without reading the database. The fields are the chain's own (never tokens or secrets: the details JSON is left
/// out on purpose, as it may name things only auditors should see; the hash lets a SIEM match the record to the chain).
/// </summary>
public sealed partial class AuditEventLog(ILoggerFactory loggerFactory) : INotificationHandler<AuditEventsCommitted>
{
    public const string Category = "PartnerGate.Audit";
    public const int EventIdNumber = 7100;
    public static readonly EventId EventId = new(EventIdNumber, "AuditEventCommitted");

    private readonly ILogger logger = loggerFactory.CreateLogger(Category);

    public ValueTask Handle(AuditEventsCommitted notification, CancellationToken cancellationToken)
    {
        foreach (var e in notification.Events)
        {
            Write(e);
        }

        return ValueTask.CompletedTask;
    }

    public void Write(AuditEvent e) =>
        LogCommitted(logger, e.Sequence, e.Action, e.ActorId, e.ActorName, e.PartnerId, e.TargetType, e.TargetId, e.OccurredAt, e.Hash);

    [LoggerMessage(EventId = EventIdNumber, EventName = "AuditEventCommitted", Level = LogLevel.Information,
        Message = "Audit {AuditSequence} {AuditAction} by {ActorName} ({ActorId}) on {TargetType} {TargetId}, partner {PartnerId}, at {OccurredAt:O}, hash {AuditHash}")]
    private static partial void LogCommitted(ILogger logger, long auditSequence, string auditAction, string? actorId, string actorName, Guid? partnerId,
        string targetType, string targetId, DateTimeOffset occurredAt, string auditHash);
}
