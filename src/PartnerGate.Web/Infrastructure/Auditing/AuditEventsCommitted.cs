using Mediator;
using PartnerGate.Domain.Auditing;

namespace PartnerGate.Web.Infrastructure.Auditing;

/// <summary>Published after a unit of work committed: the audit events it wrote, in chain order.</summary>
public sealed record AuditEventsCommitted(IReadOnlyList<AuditEvent> Events) : INotification;
