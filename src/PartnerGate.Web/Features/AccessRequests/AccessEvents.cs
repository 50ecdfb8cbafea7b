using Mediator;

namespace PartnerGate.Web.Features.AccessRequests;

// Domain events of the just-in-time access workflow. Command handlers queue them on the unit of work;
// they are published only after the transaction committed, to update live views and to write mail.

/// <summary>A request was submitted and waits for the approvers of <paramref name="Stage"/> (1-based order).</summary>
public sealed record AccessRequested(Guid RequestId, Guid PartnerId, Guid ResourceId, int Stage) : INotification;

/// <summary>
/// An approver approved. <paramref name="GrantId"/> is set when this was the final approval; otherwise the
/// request waits for more approvers at <paramref name="NextStage"/>.
/// </summary>
public sealed record RequestApproved(Guid RequestId, Guid PartnerId, Guid ApproverId, Guid? GrantId, int NextStage, bool AutoApproved) : INotification;

public sealed record RequestDenied(Guid RequestId, Guid PartnerId, Guid ApproverId) : INotification;

public sealed record RequestCancelled(Guid RequestId, Guid PartnerId) : INotification;

/// <summary>Nobody decided within the policy's decision window.</summary>
public sealed record RequestExpired(Guid RequestId, Guid PartnerId) : INotification;

public sealed record GrantActivated(Guid GrantId, Guid PartnerId) : INotification;

public sealed record GrantExpired(Guid GrantId, Guid PartnerId) : INotification;

public sealed record GrantRevoked(Guid GrantId, Guid PartnerId, string Reason) : INotification;

/// <summary>The grant ends within the hour: the grantee is told once.</summary>
public sealed record GrantExpiringSoon(Guid GrantId, Guid PartnerId) : INotification;

/// <summary>Posture suspended the grant (a required certification lapsed); it may resume within its window.</summary>
public sealed record GrantSuspended(Guid GrantId, Guid PartnerId, string Reason) : INotification;

/// <summary>A grant suspended by posture is back in effect (or scheduled) after the certification was renewed.</summary>
public sealed record GrantResumed(Guid GrantId, Guid PartnerId) : INotification;
