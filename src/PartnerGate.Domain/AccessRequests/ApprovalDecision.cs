using PartnerGate.Domain.Common;

namespace PartnerGate.Domain.AccessRequests;

public enum DecisionOutcome
{
    Approved,
    Denied,
}

/// <summary>One approver's decision at one stage of a request.</summary>
public sealed class ApprovalDecision
{
    private ApprovalDecision()
    {
        ApproverName = string.Empty;
    }

    public Guid Id { get; private set; }
    public Guid AccessRequestId { get; private set; }
    public Guid ApproverId { get; private set; }
    public string ApproverName { get; private set; }
    public int Stage { get; private set; }
    public DecisionOutcome Outcome { get; private set; }
    public string? Comment { get; private set; }

    /// <summary>Set when the approver approved a shorter window than requested.</summary>
    public DateTimeOffset? ShortenedNotAfter { get; private set; }
    public DateTimeOffset DecidedAt { get; private set; }

    internal static ApprovalDecision Approved(Guid requestId, Actor approver, int stage, string? comment, DateTimeOffset? shortenedNotAfter, DateTimeOffset now) =>
        Create(requestId, approver, stage, DecisionOutcome.Approved, comment, shortenedNotAfter, now);

    internal static ApprovalDecision Denied(Guid requestId, Actor approver, int stage, string comment, DateTimeOffset now) =>
        Create(requestId, approver, stage, DecisionOutcome.Denied, comment, null, now);

    private static ApprovalDecision Create(Guid requestId, Actor approver, int stage, DecisionOutcome outcome, string? comment, DateTimeOffset? shortenedNotAfter, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        AccessRequestId = requestId,
        ApproverId = approver.UserId,
        ApproverName = approver.DisplayName,
        Stage = stage,
        Outcome = outcome,
        Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim(),
        ShortenedNotAfter = shortenedNotAfter is { } end ? Clock.Normalize(end) : null,
        DecidedAt = Clock.Normalize(now),
    };
}
