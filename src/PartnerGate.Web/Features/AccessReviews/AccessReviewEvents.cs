using Mediator;
using PartnerGate.Web.Infrastructure.Live;

namespace PartnerGate.Web.Features.AccessReviews;

// Domain events of access reviews, published after their transaction committed: they refresh open review pages and
// write mail to the reviewers (Features/Notifications/AccessMailHandler).

/// <summary>A review started; its reviewers are told.</summary>
public sealed record AccessReviewStarted(Guid ReviewId) : INotification;

/// <summary>A reviewer decided one item (kept or revoked its grant).</summary>
public sealed record AccessReviewItemDecided(Guid ReviewId, Guid GrantId, Guid PartnerId) : INotification;

/// <summary>The deadline is a day away and items are still undecided; the reviewers are reminded once.</summary>
public sealed record AccessReviewReminderDue(Guid ReviewId) : INotification;

/// <summary>
/// Live progress: a decision is a change to what is known about a grant, so it goes out as the existing
/// <see cref="LiveUpdateKind.GrantChanged"/> naming the grant. Review pages reload when one of their grants changed (by a
/// decision here, or a revocation or expiry anywhere else); other views re-query only what their user may see.
/// </summary>
public sealed class AccessReviewLiveUpdateHandler(LiveUpdateHub hub) : INotificationHandler<AccessReviewItemDecided>
{
    public ValueTask Handle(AccessReviewItemDecided notification, CancellationToken cancellationToken)
    {
        hub.Publish(new LiveUpdate(LiveUpdateKind.GrantChanged, notification.PartnerId, GrantId: notification.GrantId));
        return ValueTask.CompletedTask;
    }
}
