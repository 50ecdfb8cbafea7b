using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;

namespace PartnerGate.Domain.AccessReviews;

/// <summary>What a review covers: the live grants of one partner, or of one resource.</summary>
public enum AccessReviewKind
{
    Partner,
    Resource,
}

public enum AccessReviewStatus
{
    Open,
    Completed,
}

/// <summary>What a reviewer decides about one grant.</summary>
public enum ReviewVerdict
{
    Keep,
    Revoke,
}

/// <summary>Where one item of a review stands.</summary>
public enum ReviewItemOutcome
{
    /// <summary>Nobody has decided yet.</summary>
    Pending,
    Kept,
    Revoked,

    /// <summary>Undecided at the deadline: revoked by the sweep.</summary>
    AutoRevoked,

    /// <summary>The grant ended (expired, revoked elsewhere) before anyone decided: nothing left to decide.</summary>
    GrantEnded,
}

/// <summary>One grant in the review's snapshot, with the names the reviewers read.</summary>
public sealed record GrantUnderReview(Grant Grant, string PartnerName, string SubjectName, string ResourceName);

/// <summary>
/// A periodic re-check of who can reach what: an administrator names a partner or a resource, a deadline and
/// reviewers (manufacturer staff, never partner users); every grant live at that moment becomes one item, and each
/// item gets exactly one decision — kept or revoked, with a comment. Whatever is undecided at the deadline is revoked
/// (<see cref="RevokeUndecidedAtDeadline"/>): an unanswered review never leaves access standing by default.
/// </summary>
public sealed class AccessReview
{
    public const int MaxReviewers = 20;
    public const int MaxCommentLength = 1000;

    /// <summary>A deadline closer than this leaves the reviewers no real chance to decide.</summary>
    public static readonly TimeSpan MinimumLeadTime = TimeSpan.FromHours(1);

    /// <summary>A review that runs longer than a quarter has stopped being a review of current access.</summary>
    public static readonly TimeSpan MaximumLeadTime = TimeSpan.FromDays(90);

    /// <summary>Reviewers with undecided items are reminded once this long before the deadline.</summary>
    public static readonly TimeSpan ReminderBeforeDeadline = TimeSpan.FromHours(24);

    private readonly List<AccessReviewItem> items = [];
    private readonly List<AccessReviewer> reviewers = [];

    private AccessReview()
    {
        TargetName = string.Empty;
        StartedByName = string.Empty;
    }

    public Guid Id { get; private set; }
    public AccessReviewKind Kind { get; private set; }

    /// <summary>The partner's or the resource's id.</summary>
    public Guid TargetId { get; private set; }

    /// <summary>The partner's or the resource's name when the review started.</summary>
    public string TargetName { get; private set; }

    /// <summary>The partner of a partner review (for the audit trail's partner filter); null for a resource review.</summary>
    public Guid? PartnerId { get; private set; }
    public Guid StartedByUserId { get; private set; }
    public string StartedByName { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset Deadline { get; private set; }
    public AccessReviewStatus Status { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public DateTimeOffset? ReminderSentAt { get; private set; }

    /// <summary>Optimistic concurrency: set by the application on every change, portable across providers.</summary>
    public Guid Version { get; private set; }
    public IReadOnlyList<AccessReviewItem> Items => items;
    public IReadOnlyList<AccessReviewer> Reviewers => reviewers;

    /// <summary>True while a grant in this state still backs, or may again back, tokens.</summary>
    public static bool IsLive(Grant grant) => grant.Status is GrantStatus.Active or GrantStatus.Scheduled or GrantStatus.Suspended;

    public static Result<AccessReview> Start(
        Actor administrator,
        AccessReviewKind kind,
        Guid targetId,
        string targetName,
        IReadOnlyCollection<Actor> reviewerCandidates,
        IReadOnlyCollection<GrantUnderReview> grants,
        DateTimeOffset deadline,
        DateTimeOffset now)
    {
        if (!administrator.IsManufacturerStaff || !administrator.IsInRole(Roles.Administrator))
        {
            return Error.Forbidden("review.start_forbidden", "Only administrators start access reviews.");
        }

        if (deadline < now + MinimumLeadTime)
        {
            return Error.Validation("review.deadline_too_soon", "The deadline must be at least an hour from now, so the reviewers can decide.");
        }

        if (deadline > now + MaximumLeadTime)
        {
            return Error.Validation("review.deadline_too_far", "The deadline can be at most 90 days from now.");
        }

        if (reviewerCandidates.Count == 0)
        {
            return Error.Validation("review.reviewers_required", "Choose at least one reviewer.");
        }

        if (reviewerCandidates.Count > MaxReviewers)
        {
            return Error.Validation("review.too_many_reviewers", $"Choose at most {MaxReviewers} reviewers.");
        }

        // Invariant 3 carried over to reviews: whoever decides about access is manufacturer staff, never a partner.
        if (reviewerCandidates.FirstOrDefault(r => !IsStaffDecider(r)) is { } notStaff)
        {
            return Error.Validation("review.reviewer_not_staff", $"{notStaff.DisplayName} cannot review: reviewers are approvers or administrators of the manufacturer.");
        }

        var live = grants.Where(g => IsLive(g.Grant)).DistinctBy(g => g.Grant.Id).ToList();
        if (live.Count == 0)
        {
            return Error.Validation("review.nothing_to_review", $"{targetName} has no active grants to review.");
        }

        if (live.Any(g => (kind == AccessReviewKind.Partner ? g.Grant.PartnerId : g.Grant.ResourceId) != targetId))
        {
            throw new ArgumentException("A review covers only grants of its own partner or resource.", nameof(grants));
        }

        var review = new AccessReview
        {
            Id = Guid.NewGuid(),
            Kind = kind,
            TargetId = targetId,
            TargetName = targetName.Trim(),
            PartnerId = kind == AccessReviewKind.Partner ? targetId : null,
            StartedByUserId = administrator.UserId,
            StartedByName = administrator.DisplayName,
            StartedAt = Clock.Normalize(now),
            Deadline = Clock.Normalize(deadline),
            Status = AccessReviewStatus.Open,
            Version = Guid.NewGuid(),
        };
        review.reviewers.AddRange(reviewerCandidates.DistinctBy(r => r.UserId).Select(r => new AccessReviewer(review.Id, r.UserId, r.DisplayName)));
        review.items.AddRange(live.Select(g => AccessReviewItem.For(review.Id, g)));
        return review;
    }

    public bool IsReviewer(Guid userId) => reviewers.Any(r => r.UserId == userId);

    /// <summary>Administrators see every review; other staff only the ones they review; partners none.</summary>
    public bool CanBeViewedBy(Actor actor) =>
        actor.IsManufacturerStaff && (actor.IsInRole(Roles.Administrator) || (actor.IsInRole(Roles.Approver) && IsReviewer(actor.UserId)));

    /// <summary>Whether <paramref name="actor"/> may decide items of this review at all (it is open and they are its reviewer).</summary>
    public bool CanBeDecidedBy(Actor actor, DateTimeOffset now) =>
        Status == AccessReviewStatus.Open && now < Deadline && IsStaffDecider(actor) && IsReviewer(actor.UserId);

    /// <summary>
    /// One reviewer's decision about one item. A revocation ends <paramref name="grant"/> here, through the grant's own
    /// rule; the caller puts it on the revocation paths (tokens, feed, mail). One decision per item: a decided item refuses.
    /// </summary>
    public Result<AccessReviewItem> Decide(Actor reviewer, Guid itemId, ReviewVerdict verdict, string? comment, Grant grant, DateTimeOffset now)
    {
        if (!IsStaffDecider(reviewer) || !IsReviewer(reviewer.UserId))
        {
            return Error.Forbidden("review.not_a_reviewer", "Only the reviewers of this review decide its grants.");
        }

        if (Status != AccessReviewStatus.Open)
        {
            return Error.Conflict("review.completed", "This review is completed; its decisions are final.");
        }

        if (now >= Deadline)
        {
            return Error.Conflict("review.deadline_passed", "The deadline of this review has passed: undecided grants are revoked automatically.");
        }

        var text = comment?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            return Error.Validation("review.comment_required", "Say why you keep or revoke this grant; the comment is part of the review's record.");
        }

        if (text.Length > MaxCommentLength)
        {
            return Error.Validation("review.comment_too_long", $"The comment can be at most {MaxCommentLength:N0} characters.");
        }

        if (items.SingleOrDefault(i => i.Id == itemId) is not { } item)
        {
            return Error.NotFound("review.item_not_found", "That grant is not part of this review.");
        }

        if (grant.Id != item.GrantId)
        {
            throw new ArgumentException("The grant passed is not the item's grant.", nameof(grant));
        }

        if (item.Outcome != ReviewItemOutcome.Pending)
        {
            return Error.Conflict("review.already_decided", $"This grant was already decided ({item.Outcome.ToString().ToLowerInvariant()} by {item.DecidedByName ?? "PartnerGate"}). Reload to see the outcome.");
        }

        if (!IsLive(grant))
        {
            return Error.Conflict("review.grant_ended", $"This grant is already {grant.Status.ToString().ToLowerInvariant()}; it needs no decision.");
        }

        if (verdict == ReviewVerdict.Revoke)
        {
            var revoked = grant.Revoke(reviewer, $"Revoked in the access review of {TargetName}: {text}", now);
            if (!revoked.IsSuccess)
            {
                return revoked.Error!;
            }
        }

        item.Record(verdict == ReviewVerdict.Keep ? ReviewItemOutcome.Kept : ReviewItemOutcome.Revoked, reviewer.UserId, reviewer.DisplayName, text, now);
        return item;
    }

    /// <summary>
    /// True when nothing is left to decide: every item is decided, or its grant ended meanwhile
    /// (<paramref name="isLive"/> answers for an item's grant).
    /// </summary>
    public bool IsSettled(Func<Guid, bool> isLive) => items.All(i => i.Outcome != ReviewItemOutcome.Pending || !isLive(i.GrantId));

    /// <summary>Completes an open review before its deadline once nothing is left to decide; true when it changed.</summary>
    public bool CompleteIfSettled(Func<Guid, bool> isLive, DateTimeOffset now)
    {
        if (Status != AccessReviewStatus.Open || !IsSettled(isLive))
        {
            return false;
        }

        foreach (var item in items.Where(i => i.Outcome == ReviewItemOutcome.Pending))
        {
            item.Record(ReviewItemOutcome.GrantEnded, null, null, null, now);
        }

        Complete(now);
        return true;
    }

    /// <summary>
    /// At the deadline: every undecided item whose grant is still live is revoked (in the name of the administrator who
    /// started the review and set this rule), items whose grant ended are closed, and the review completes. Returns the
    /// items revoked here, each with its grant, for the caller to put on the revocation paths.
    /// </summary>
    public Result<IReadOnlyList<(AccessReviewItem Item, Grant Grant)>> RevokeUndecidedAtDeadline(IReadOnlyDictionary<Guid, Grant> grants, DateTimeOffset now)
    {
        if (Status != AccessReviewStatus.Open)
        {
            return Error.Conflict("review.completed", "This review is already completed.");
        }

        if (now < Deadline)
        {
            return Error.Conflict("review.deadline_not_reached", "The deadline of this review has not come yet.");
        }

        var reason = AutoRevocationReason;
        var revoked = new List<(AccessReviewItem, Grant)>();
        foreach (var item in items.Where(i => i.Outcome == ReviewItemOutcome.Pending))
        {
            if (grants.TryGetValue(item.GrantId, out var grant) && IsLive(grant))
            {
                // Nobody decided: PartnerGate revokes by the review's rule, and names no person as the revoker.
                var result = grant.RevokeBySystem(reason, now);
                if (!result.IsSuccess)
                {
                    return result.Error!;
                }

                item.Record(ReviewItemOutcome.AutoRevoked, null, null, reason, now);
                revoked.Add((item, grant));
            }
            else
            {
                item.Record(ReviewItemOutcome.GrantEnded, null, null, null, now);
            }
        }

        Complete(now);
        return revoked;
    }

    /// <summary>The reason an undecided grant carries when the deadline revokes it; names the review, as the partner reads it.</summary>
    public string AutoRevocationReason =>
        $"Not confirmed in the access review of {TargetName} by its deadline ({Deadline.UtcDateTime:yyyy-MM-dd HH:mm} UTC); revoked automatically.";

    /// <summary>True once, when an open review with undecided items is within <see cref="ReminderBeforeDeadline"/> of its deadline.</summary>
    public bool TakeReminderIfDue(DateTimeOffset now)
    {
        if (Status != AccessReviewStatus.Open || ReminderSentAt is not null || now >= Deadline || Deadline - now > ReminderBeforeDeadline
            || items.All(i => i.Outcome != ReviewItemOutcome.Pending))
        {
            return false;
        }

        ReminderSentAt = Clock.Normalize(now);
        Version = Guid.NewGuid();
        return true;
    }

    private void Complete(DateTimeOffset now)
    {
        Status = AccessReviewStatus.Completed;
        CompletedAt = Clock.Normalize(now);
        Version = Guid.NewGuid();
    }

    private static bool IsStaffDecider(Actor actor) =>
        actor.IsManufacturerStaff && (actor.IsInRole(Roles.Administrator) || actor.IsInRole(Roles.Approver));
}

/// <summary>A reviewer assigned to a review (manufacturer staff), with the name they had then.</summary>
public sealed class AccessReviewer
{
    private AccessReviewer()
    {
        DisplayName = string.Empty;
    }

    internal AccessReviewer(Guid reviewId, Guid userId, string displayName)
    {
        AccessReviewId = reviewId;
        UserId = userId;
        DisplayName = displayName;
    }

    public Guid AccessReviewId { get; private set; }
    public Guid UserId { get; private set; }
    public string DisplayName { get; private set; }
}

/// <summary>One grant of the review's snapshot and its one decision.</summary>
public sealed class AccessReviewItem
{
    private AccessReviewItem()
    {
        PartnerName = string.Empty;
        SubjectName = string.Empty;
        ResourceName = string.Empty;
        Scopes = [];
    }

    public Guid Id { get; private set; }
    public Guid AccessReviewId { get; private set; }
    public Guid GrantId { get; private set; }
    public Guid PartnerId { get; private set; }
    public string PartnerName { get; private set; }
    public string SubjectName { get; private set; }
    public Guid ResourceId { get; private set; }
    public string ResourceName { get; private set; }
    public List<string> Scopes { get; private set; }

    /// <summary>The grant's end as it stood when the review started.</summary>
    public DateTimeOffset GrantNotAfter { get; private set; }
    public ReviewItemOutcome Outcome { get; private set; }
    public Guid? DecidedByUserId { get; private set; }
    public string? DecidedByName { get; private set; }
    public string? Comment { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }

    /// <summary>Optimistic concurrency: two reviewers deciding this item at once give one outcome.</summary>
    public Guid Version { get; private set; }

    internal static AccessReviewItem For(Guid reviewId, GrantUnderReview snapshot) => new()
    {
        Id = Guid.NewGuid(),
        AccessReviewId = reviewId,
        GrantId = snapshot.Grant.Id,
        PartnerId = snapshot.Grant.PartnerId,
        PartnerName = snapshot.PartnerName,
        SubjectName = snapshot.SubjectName,
        ResourceId = snapshot.Grant.ResourceId,
        ResourceName = snapshot.ResourceName,
        Scopes = [.. snapshot.Grant.Scopes],
        GrantNotAfter = snapshot.Grant.NotAfter,
        Outcome = ReviewItemOutcome.Pending,
        Version = Guid.NewGuid(),
    };

    internal void Record(ReviewItemOutcome outcome, Guid? by, string? byName, string? comment, DateTimeOffset now)
    {
        Outcome = outcome;
        DecidedByUserId = by;
        DecidedByName = byName;
        Comment = comment;
        DecidedAt = Clock.Normalize(now);
        Version = Guid.NewGuid();
    }
}
