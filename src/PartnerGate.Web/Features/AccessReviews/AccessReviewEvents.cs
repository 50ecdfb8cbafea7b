using Mediator;
using PartnerGate.Web.Infrastructure.Live;

namespace PartnerGate.Web.Features.AccessReviews;

// Domain events of access reviews, published after their transaction committed: they refresh open review pages and
// write mail to the reviewers (Features/Notifications/AccessMailHandler).

/// <summary>A review started; its reviewers are told.</summary>
public sealed record AccessReviewStarted(Guid ReviewId) : INotification;

/// <summary>A reviewer decided one item (kept or revoked its grant).</summary>
public sealed record AccessReviewItemDecided(Guid ReviewId, Guid GrantId, Guid PartnerId) : INotification;

/// <summary>
/// A review completed: its last item was decided, the deadline sweep revoked what was undecided, or all its grants
/// ended meanwhile.
/// </summary>
public sealed record AccessReviewCompleted(Guid ReviewId) : INotification;

/// <summary>The deadline is a day away and items are still undecided; the reviewers are reminded once.</summary>
public sealed record AccessReviewReminderDue(Guid ReviewId) : INotification;

/// <summary>
/// Live progress: every change to a review — started, an item decided, completed by a decision or by the sweep — goes
/// out as <see cref="LiveUpdateKind.AccessReviewChanged"/> naming the review, so the review page and the list reload
/// (through the pipeline, so visibility is checked again) even when no grant changed: a kept grant, or a review the
/// sweep completed after its grants had ended. The update names no partner (<see cref="Guid.Empty"/>): reviews are
/// staff business, and partner views that reload on their partner's updates have nothing to reload for.
/// </summary>
public sealed class AccessReviewLiveUpdateHandler(LiveUpdateHub hub) :
    INotificationHandler<AccessReviewStarted>,
    INotificationHandler<AccessReviewItemDecided>,
    INotificationHandler<AccessReviewCompleted>
{
    public ValueTask Handle(AccessReviewStarted notification, CancellationToken cancellationToken) => Publish(notification.ReviewId);

    public ValueTask Handle(AccessReviewItemDecided notification, CancellationToken cancellationToken) => Publish(notification.ReviewId);

    public ValueTask Handle(AccessReviewCompleted notification, CancellationToken cancellationToken) => Publish(notification.ReviewId);

    private ValueTask Publish(Guid reviewId)
    {
        hub.Publish(new LiveUpdate(LiveUpdateKind.AccessReviewChanged, Guid.Empty, ReviewId: reviewId));
        return ValueTask.CompletedTask;
    }
}
