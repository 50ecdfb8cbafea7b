using Mediator;
using PartnerGate.Web.Features.AccessRequests;

namespace PartnerGate.Web.Infrastructure.Live;

public enum LiveUpdateKind
{
    RequestSubmitted,
    RequestDecided,
    RequestClosed,
    GrantChanged,
    AccessReviewChanged,
}

/// <summary>What changed, with just enough for a view to decide whether to reload (never the data itself).</summary>
public sealed record LiveUpdate(LiveUpdateKind Kind, Guid PartnerId, Guid? RequestId = null, Guid? GrantId = null, Guid? ReviewId = null);

/// <summary>
/// Fans committed changes out to open Blazor circuits: the approval inbox, my requests and my grants subscribe and
/// reload when something relevant changed. Views filter by what their user may see and re-query through the
/// pipeline, so an update never carries data across partners. With several nodes, <see cref="PublishedOnThisNode"/>
/// lets the scale-out relay pass this node's updates to the others, which hand them to <see cref="DeliverFromOtherNode"/>.
/// </summary>
public sealed class LiveUpdateHub
{
    public event Action<LiveUpdate>? Changed;

    /// <summary>Raised for changes committed on this node only (never for those another node relayed), so a relay can't echo.</summary>
    public event Action<LiveUpdate>? PublishedOnThisNode;

    /// <summary>A change committed on this node: its circuits hear of it, then the other nodes'.</summary>
    public void Publish(LiveUpdate update)
    {
        DeliverHere(update);
        PublishedOnThisNode?.Invoke(update);
    }

    /// <summary>A change another node committed and relayed: this node's circuits only.</summary>
    public void DeliverFromOtherNode(LiveUpdate update) => DeliverHere(update);

    private void DeliverHere(LiveUpdate update)
    {
        var handlers = Changed;
        if (handlers is null)
        {
            return;
        }

        // One failing subscriber (a circuit that just disconnected) must not stop the others.
        foreach (var handler in handlers.GetInvocationList().Cast<Action<LiveUpdate>>())
        {
            try
            {
                handler(update);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}

/// <summary>Turns the workflow's domain events into live updates once they are committed.</summary>
public sealed class LiveUpdateNotificationHandler(LiveUpdateHub hub) :
    INotificationHandler<AccessRequested>,
    INotificationHandler<RequestApproved>,
    INotificationHandler<RequestDenied>,
    INotificationHandler<RequestCancelled>,
    INotificationHandler<RequestExpired>,
    INotificationHandler<GrantActivated>,
    INotificationHandler<GrantExpired>,
    INotificationHandler<GrantRevoked>,
    INotificationHandler<GrantSuspended>,
    INotificationHandler<GrantResumed>,
    INotificationHandler<GrantExpiringSoon>
{
    public ValueTask Handle(AccessRequested notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.RequestSubmitted, notification.PartnerId, notification.RequestId));

    public ValueTask Handle(RequestApproved notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.RequestDecided, notification.PartnerId, notification.RequestId, notification.GrantId));

    public ValueTask Handle(RequestDenied notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.RequestDecided, notification.PartnerId, notification.RequestId));

    public ValueTask Handle(RequestCancelled notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.RequestClosed, notification.PartnerId, notification.RequestId));

    public ValueTask Handle(RequestExpired notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.RequestClosed, notification.PartnerId, notification.RequestId));

    public ValueTask Handle(GrantActivated notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.GrantChanged, notification.PartnerId, GrantId: notification.GrantId));

    public ValueTask Handle(GrantExpired notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.GrantChanged, notification.PartnerId, GrantId: notification.GrantId));

    public ValueTask Handle(GrantRevoked notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.GrantChanged, notification.PartnerId, GrantId: notification.GrantId));

    public ValueTask Handle(GrantSuspended notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.GrantChanged, notification.PartnerId, GrantId: notification.GrantId));

    public ValueTask Handle(GrantResumed notification, CancellationToken cancellationToken) =>
        Publish(new LiveUpdate(LiveUpdateKind.GrantChanged, notification.PartnerId, GrantId: notification.GrantId));

    public ValueTask Handle(GrantExpiringSoon notification, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private ValueTask Publish(LiveUpdate update)
    {
        hub.Publish(update);
        return ValueTask.CompletedTask;
    }
}
