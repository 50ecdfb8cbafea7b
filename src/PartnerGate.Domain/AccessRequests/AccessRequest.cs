using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Domain.AccessRequests;

public enum AccessRequestStatus
{
    Pending,
    Approved,
    Denied,
    Cancelled,
    Expired,
}

/// <summary>
/// A partner's request for time-boxed access to one resource. It carries the rules of invariants 3
/// (nobody approves their own request; approvers are manufacturer staff; N approvals need N distinct
/// people) and 7 (policy caps win).
/// </summary>
public sealed class AccessRequest
{
    public const int MinimumJustificationLength = 20;

    /// <summary>A start this far in the past still counts as "now" (the form took a moment to fill in).</summary>
    public static readonly TimeSpan StartTolerance = TimeSpan.FromMinutes(5);

    private readonly List<ApprovalDecision> decisions = [];

    private AccessRequest()
    {
        Subject = null!;
        Scopes = [];
        Justification = string.Empty;
    }

    public Guid Id { get; private set; }
    public Guid PartnerId { get; private set; }
    public Guid RequestedByUserId { get; private set; }
    public AccessSubject Subject { get; private set; }
    public Guid ResourceId { get; private set; }
    public List<string> Scopes { get; private set; }
    public DateTimeOffset NotBefore { get; private set; }
    public DateTimeOffset NotAfter { get; private set; }
    public string Justification { get; private set; }
    public string? TicketReference { get; private set; }
    public AccessRequestStatus Status { get; private set; }
    public DateTimeOffset SubmittedAt { get; private set; }

    /// <summary>Undecided past this moment, the request expires.</summary>
    public DateTimeOffset DecideBy { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Index into the policy's stages of the stage now awaiting decisions.</summary>
    public int CurrentStage { get; private set; }

    /// <summary>
    /// The approver group the current stage waits for; null once closed. Kept on the request so the
    /// approval inbox finds "requests waiting for me" with one indexed query.
    /// </summary>
    public string? AwaitingRole { get; private set; }
    public bool AutoApproved { get; private set; }

    /// <summary>Optimistic concurrency: set by the application on every change, portable across providers.</summary>
    public Guid Version { get; private set; }
    public IReadOnlyList<ApprovalDecision> Decisions => decisions;

    public TimeSpan Duration => NotAfter - NotBefore;

    public static Result<AccessRequest> Submit(
        Partner partner,
        Resource resource,
        Actor requester,
        AccessSubject subject,
        IReadOnlyCollection<string> scopes,
        DateTimeOffset startsAt,
        TimeSpan duration,
        string justification,
        string? ticketReference,
        DateTimeOffset now)
    {
        if (requester.PartnerId != partner.Id)
        {
            return Error.Forbidden("request.not_partner_member", "You can request access only for your own organisation.");
        }

        if (partner.Status != PartnerStatus.Active)
        {
            return Error.PolicyRefused("request.partner_suspended", $"{partner.Name} is suspended; no new access can be requested.");
        }

        if (scopes.Count == 0)
        {
            return Error.Validation("request.scopes_required", "Choose at least one scope.");
        }

        var foreign = scopes.Where(s => !resource.HasScope(s)).ToList();
        if (foreign.Count > 0)
        {
            return Error.PolicyRefused("request.scope_not_of_resource",
                $"{string.Join(", ", foreign)} {(foreign.Count == 1 ? "is not a scope" : "are not scopes")} of {resource.DisplayName}.");
        }

        if (duration <= TimeSpan.Zero)
        {
            return Error.Validation("request.duration_invalid", "The duration must be positive.");
        }

        if (duration > resource.Policy.MaxDuration)
        {
            return Error.PolicyRefused("request.duration_beyond_cap",
                $"{resource.DisplayName} allows at most {Durations.Describe(resource.Policy.MaxDuration)}; you asked for {Durations.Describe(duration)}.");
        }

        if (startsAt < now - StartTolerance)
        {
            return Error.Validation("request.start_in_past", "The start cannot lie in the past.");
        }

        if (string.IsNullOrWhiteSpace(justification) || justification.Trim().Length < MinimumJustificationLength)
        {
            return Error.Validation("request.justification_too_short",
                $"Explain why you need access in at least {MinimumJustificationLength} characters.");
        }

        if (MissingCertification(resource, partner, now) is { } lapsed)
        {
            return lapsed;
        }

        var start = Clock.Normalize(startsAt < now ? now : startsAt);
        var request = new AccessRequest
        {
            Id = Guid.NewGuid(),
            PartnerId = partner.Id,
            RequestedByUserId = requester.UserId,
            Subject = subject,
            ResourceId = resource.Id,
            Scopes = scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            NotBefore = start,
            NotAfter = Clock.Normalize(start + duration),
            Justification = justification.Trim(),
            TicketReference = string.IsNullOrWhiteSpace(ticketReference) ? null : ticketReference.Trim(),
            Status = AccessRequestStatus.Pending,
            SubmittedAt = Clock.Normalize(now),
            DecideBy = Clock.Normalize(now + resource.Policy.DecisionWindow),
            AwaitingRole = resource.Policy.Stages.Count > 0 ? resource.Policy.Stages[0].ApproverRole : null,
            Version = Guid.NewGuid(),
        };
        return request;
    }

    /// <summary>Approves without a person when the policy allows it; the grant records that it was automatic.</summary>
    public Result<Grant> AutoApprove(Resource resource, DateTimeOffset now)
    {
        if (Status != AccessRequestStatus.Pending)
        {
            return AlreadyClosed();
        }

        if (!resource.Policy.AllowsAutoApproval(resource.Sensitivity, Duration))
        {
            return Error.PolicyRefused("request.auto_approval_not_allowed", "This request needs an approver.");
        }

        AutoApproved = true;
        return Close(AccessRequestStatus.Approved, now, Grant.FromApprovedRequest(this, now))!;
    }

    /// <summary>
    /// Records one approval. Returns the grant when this was the last approval the policy needs, or
    /// null while more stages or approvers are due.
    /// </summary>
    public Result<Grant?> Approve(Resource resource, Partner partner, Actor approver, DateTimeOffset now, string? comment = null, DateTimeOffset? shortenedNotAfter = null)
    {
        var eligible = CheckDecider(resource, approver, now);
        if (!eligible.IsSuccess)
        {
            return eligible.Error!;
        }

        // Posture is checked again at decision time (invariant 8): the partner may have been suspended, or a
        // required certification may have lapsed, since the request was submitted.
        var posture = CheckPartnerPosture(resource, partner, now);
        if (!posture.IsSuccess)
        {
            return posture.Error!;
        }

        if (shortenedNotAfter is { } end)
        {
            if (end > NotAfter)
            {
                return Error.PolicyRefused("request.window_longer", "An approver may shorten the window but never lengthen it.");
            }

            if (end <= NotBefore || end <= now)
            {
                return Error.Validation("request.window_empty", "The shortened window must end after it starts and in the future.");
            }
        }

        var stage = resource.Policy.Stages[CurrentStage];
        decisions.Add(ApprovalDecision.Approved(Id, approver, stage.Order, comment, shortenedNotAfter, now));
        if (shortenedNotAfter is { } shortened)
        {
            NotAfter = Clock.Normalize(shortened);
        }

        var approvalsThisStage = decisions.Count(d => d.Stage == stage.Order && d.Outcome == DecisionOutcome.Approved);
        if (approvalsThisStage < stage.RequiredApprovals)
        {
            Version = Guid.NewGuid();
            return (Grant?)null;
        }

        if (CurrentStage + 1 < resource.Policy.Stages.Count)
        {
            CurrentStage++;
            AwaitingRole = resource.Policy.Stages[CurrentStage].ApproverRole;
            Version = Guid.NewGuid();
            return (Grant?)null;
        }

        return Close(AccessRequestStatus.Approved, now, Grant.FromApprovedRequest(this, now));
    }

    public Result Deny(Resource resource, Actor approver, string comment, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(comment))
        {
            return Error.Validation("request.deny_comment_required", "Say why the request is denied; the requester will read it.");
        }

        var eligible = CheckDecider(resource, approver, now);
        if (!eligible.IsSuccess)
        {
            return eligible.Error!;
        }

        decisions.Add(ApprovalDecision.Denied(Id, approver, resource.Policy.Stages[CurrentStage].Order, comment.Trim(), now));
        Close(AccessRequestStatus.Denied, now, grant: null);
        return Result.Success();
    }

    /// <summary>
    /// Closes a pending request as denied on an administrator's word, whatever stage it waits at: a kill switch
    /// leaves nothing approvable behind. Recorded as a denial (not a cancellation, which is the requester's own
    /// withdrawal) so the requester reads the reason where every refusal is shown.
    /// </summary>
    public Result DenyByAdministrator(Resource resource, Actor administrator, string reason, DateTimeOffset now)
    {
        if (resource.Id != ResourceId)
        {
            throw new ArgumentException("The resource is not the one this request is for.", nameof(resource));
        }

        if (!administrator.IsManufacturerStaff || !administrator.IsInRole(Roles.Administrator))
        {
            return Error.Forbidden("request.administrator_only", "Only an administrator closes requests outside the approval stages.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return Error.Validation("request.deny_comment_required", "Say why the request is denied; the requester will read it.");
        }

        if (Status != AccessRequestStatus.Pending)
        {
            return AlreadyClosed();
        }

        decisions.Add(ApprovalDecision.Denied(Id, administrator, CurrentStageOrder(resource), reason.Trim(), now));
        Close(AccessRequestStatus.Denied, now, grant: null);
        return Result.Success();
    }

    /// <summary>Whether <paramref name="approver"/> may approve or deny this request now (the same rules Approve and Deny apply).</summary>
    public bool CanBeDecidedBy(Resource resource, Actor approver, DateTimeOffset now) => CheckDecider(resource, approver, now).IsSuccess;

    /// <summary>The order number (1-based, as in the policy) of the stage now awaiting decisions.</summary>
    public int CurrentStageOrder(Resource resource) =>
        resource.Policy.Stages.Count > CurrentStage ? resource.Policy.Stages[CurrentStage].Order : CurrentStage + 1;

    /// <summary>The requester, or an admin of the same partner, may withdraw a pending request.</summary>
    public Result Cancel(Actor actor, DateTimeOffset now)
    {
        var mayCancel = actor.UserId == RequestedByUserId || (actor.PartnerId == PartnerId && actor.IsInRole(Roles.PartnerAdmin));
        if (!mayCancel)
        {
            return Error.Forbidden("request.cancel_forbidden", "Only the requester or their organisation's partner admin can cancel this request.");
        }

        if (Status != AccessRequestStatus.Pending)
        {
            return AlreadyClosed();
        }

        Close(AccessRequestStatus.Cancelled, now, grant: null);
        return Result.Success();
    }

    /// <summary>Expires the request when its decision window has passed; true when it did.</summary>
    public bool ExpireIfUndecided(DateTimeOffset now)
    {
        if (Status != AccessRequestStatus.Pending || now < DecideBy)
        {
            return false;
        }

        Close(AccessRequestStatus.Expired, now, grant: null);
        return true;
    }

    private Result CheckDecider(Resource resource, Actor approver, DateTimeOffset now)
    {
        if (resource.Id != ResourceId)
        {
            throw new ArgumentException("The resource is not the one this request is for.", nameof(resource));
        }

        if (Status != AccessRequestStatus.Pending)
        {
            return AlreadyClosed();
        }

        if (now >= DecideBy)
        {
            return Error.Conflict("request.decision_window_passed", "The decision window has passed; the request has expired.");
        }

        if (!approver.IsManufacturerStaff)
        {
            return Error.Forbidden("request.partner_cannot_approve", "Partner users never decide access requests.");
        }

        if (approver.UserId == RequestedByUserId)
        {
            return Error.Forbidden("request.own_request", "Nobody decides their own request.");
        }

        var stage = resource.Policy.Stages[CurrentStage];
        if (!approver.IsInRole(stage.ApproverRole))
        {
            return Error.Forbidden("request.not_stage_approver", $"This stage is decided by the {stage.ApproverRole} group.");
        }

        // Distinct people across the whole request: the same person cannot fill two approval slots,
        // neither within a stage nor by approving again at a later stage.
        if (decisions.Any(d => d.ApproverId == approver.UserId))
        {
            return Error.Conflict("request.already_decided_by_you", "You have already approved this request; another approver must decide.");
        }

        return Result.Success();
    }

    private Result CheckPartnerPosture(Resource resource, Partner partner, DateTimeOffset now)
    {
        if (partner.Id != PartnerId)
        {
            throw new ArgumentException("The partner is not the one this request is from.", nameof(partner));
        }

        if (partner.Status != PartnerStatus.Active)
        {
            return Error.PolicyRefused("request.partner_suspended", $"{partner.Name} is suspended; its requests cannot be approved.");
        }

        return MissingCertification(resource, partner, now) is { } lapsed ? lapsed : Result.Success();
    }

    /// <summary>Invariant 8, the same words at submission and at decision: the required certifications the partner lacks at <paramref name="now"/>.</summary>
    private static Error? MissingCertification(Resource resource, Partner partner, DateTimeOffset now)
    {
        var missing = partner.MissingCertifications(resource.Policy.RequiredCertifications, now);
        return missing.Count == 0
            ? null
            : Error.PolicyRefused("request.certification_missing",
                $"{resource.DisplayName} requires a valid {string.Join(", ", missing)} certification, which {partner.Name} lacks or has let lapse.");
    }

    private Error AlreadyClosed() =>
        Error.Conflict("request.already_decided", $"This request is already {Status.ToString().ToLowerInvariant()}.");

    private Grant? Close(AccessRequestStatus status, DateTimeOffset now, Grant? grant)
    {
        Status = status;
        ClosedAt = Clock.Normalize(now);
        AwaitingRole = null;
        Version = Guid.NewGuid();
        return grant;
    }
}
