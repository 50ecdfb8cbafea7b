using Mediator;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// Published after a commit that put events on the revocation feed, with the highest sequence it wrote: wakes
/// this node's feed at once instead of at its next poll of the database.
/// </summary>
public sealed record SecurityEventsAppended(long LastSequence) : INotification;
