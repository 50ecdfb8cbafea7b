using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;

namespace PartnerGate.Domain.Grants;

public enum GrantStatus
{
    /// <summary>Approved, but its window has not started yet.</summary>
    Scheduled,
    Active,
    Expired,
    Revoked,

    /// <summary>Held back by posture (e.g. a lapsed certification); may resume within its window.</summary>
    Suspended,
}

/// <summary>
/// Time-boxed access of one subject to scopes of one resource. Carries invariant 1: nothing derived
/// from a grant outlives it (<see cref="CapLifetime"/>).
/// </summary>
public sealed class Grant
{
    private Grant()
    {
        Subject = null!;
        Scopes = [];
    }

    public Guid Id { get; private set; }
    public Guid AccessRequestId { get; private set; }
    public Guid PartnerId { get; private set; }
    public AccessSubject Subject { get; private set; }
    public Guid ResourceId { get; private set; }
    public List<string> Scopes { get; private set; }
    public DateTimeOffset NotBefore { get; private set; }
    public DateTimeOffset NotAfter { get; private set; }
    public GrantStatus Status { get; private set; }
    public bool AutoApproved { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public Guid? RevokedByUserId { get; private set; }
    public string? StatusReason { get; private set; }

    /// <summary>When the grantee was told the grant ends within the hour; null until then.</summary>
    public DateTimeOffset? ExpiryNoticeSentAt { get; private set; }
    public Guid Version { get; private set; }

    internal static Grant FromApprovedRequest(AccessRequest request, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        AccessRequestId = request.Id,
        PartnerId = request.PartnerId,
        // A copy: EF maps the subject as an owned value of each entity, and one instance cannot belong to two owners.
        Subject = request.Subject with { },
        ResourceId = request.ResourceId,
        Scopes = [.. request.Scopes],
        NotBefore = request.NotBefore,
        NotAfter = request.NotAfter,
        Status = request.NotBefore <= now ? GrantStatus.Active : GrantStatus.Scheduled,
        AutoApproved = request.AutoApproved,
        CreatedAt = Clock.Normalize(now),
        Version = Guid.NewGuid(),
    };

    /// <summary>True when the grant allows access at <paramref name="now"/>: active and inside its window.</summary>
    public bool IsEffectiveAt(DateTimeOffset now) => Status == GrantStatus.Active && NotBefore <= now && now < NotAfter;

    /// <summary>
    /// The expiry for something derived from this grant (a token, a session) that would otherwise live
    /// <paramref name="lifetime"/>: never past <see cref="NotAfter"/> (invariant 1).
    /// </summary>
    public DateTimeOffset CapLifetime(DateTimeOffset now, TimeSpan lifetime)
    {
        if (!IsEffectiveAt(now))
        {
            throw new InvalidOperationException("Nothing may be derived from a grant that is not in effect.");
        }

        var wanted = now + lifetime;
        return wanted < NotAfter ? wanted : NotAfter;
    }

    /// <summary>True once, when an effective grant is within <paramref name="noticePeriod"/> of its end: time to tell the grantee.</summary>
    public bool TakeExpiryNoticeIfDue(DateTimeOffset now, TimeSpan noticePeriod)
    {
        if (ExpiryNoticeSentAt is not null || !IsEffectiveAt(now) || NotAfter - now > noticePeriod)
        {
            return false;
        }

        ExpiryNoticeSentAt = Clock.Normalize(now);
        Version = Guid.NewGuid();
        return true;
    }

    /// <summary>Moves a scheduled grant to active once its window opens; true when it changed.</summary>
    public bool ActivateIfDue(DateTimeOffset now)
    {
        if (Status != GrantStatus.Scheduled || now < NotBefore || now >= NotAfter)
        {
            return false;
        }

        Status = GrantStatus.Active;
        Version = Guid.NewGuid();
        return true;
    }

    /// <summary>Ends a grant whose window has closed; true when it changed.</summary>
    public bool ExpireIfDue(DateTimeOffset now)
    {
        if (Status is not (GrantStatus.Active or GrantStatus.Scheduled or GrantStatus.Suspended) || now < NotAfter)
        {
            return false;
        }

        End(GrantStatus.Expired, now, null, null);
        return true;
    }

    public Result Revoke(Actor actor, string reason, DateTimeOffset now)
    {
        // A partner admin may give up any of the organisation's grants, a partner user only their own.
        var isOwnPartner = actor.PartnerId == PartnerId &&
            (actor.IsInRole(Roles.PartnerAdmin) || Subject == AccessSubject.ForUser(actor.UserId));
        var isStaff = actor.IsManufacturerStaff && (actor.IsInRole(Roles.Administrator) || actor.IsInRole(Roles.Approver));
        if (!isStaff && !isOwnPartner)
        {
            return Error.Forbidden("grant.revoke_forbidden", "You can give up only your own grants, or your organisation's as its partner admin.");
        }

        if (isStaff && string.IsNullOrWhiteSpace(reason))
        {
            return Error.Validation("grant.revoke_reason_required", "Say why the grant is revoked; the partner will read it.");
        }

        if (Status is GrantStatus.Expired or GrantStatus.Revoked)
        {
            return Error.Conflict("grant.already_ended", $"This grant is already {Status.ToString().ToLowerInvariant()}.");
        }

        End(GrantStatus.Revoked, now, actor.UserId, string.IsNullOrWhiteSpace(reason) ? "Given up by the partner." : reason.Trim());
        return Result.Success();
    }

    /// <summary>
    /// Revoked by PartnerGate itself, on a rule no person applied at that moment (an access review's deadline passed
    /// with the grant undecided): no one is named as the revoker, and the reason says which rule it was.
    /// </summary>
    public Result RevokeBySystem(string reason, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Error.Validation("grant.revoke_reason_required", "A revocation by PartnerGate must say which rule caused it.");
        }

        if (Status is GrantStatus.Expired or GrantStatus.Revoked)
        {
            return Error.Conflict("grant.already_ended", $"This grant is already {Status.ToString().ToLowerInvariant()}.");
        }

        End(GrantStatus.Revoked, now, null, reason.Trim());
        return Result.Success();
    }

    /// <summary>
    /// Starts the reason of every suspension by posture: the sweep resumes only grants it suspended itself, and
    /// never suspends one twice. Kept in the reason rather than in a new column, so it needs no schema change.
    /// </summary>
    public const string PostureReasonPrefix = "Certification lapsed: ";

    /// <summary>True when posture (a lapsed certification) holds this grant back, not something else.</summary>
    public bool IsSuspendedByPosture =>
        Status == GrantStatus.Suspended && StatusReason is not null && StatusReason.StartsWith(PostureReasonPrefix, StringComparison.Ordinal);

    /// <summary>Posture (invariant 8): held back while a required certification has lapsed; <paramref name="lapse"/> names it and its date.</summary>
    public Result SuspendForPosture(string lapse) => Suspend(PostureReasonPrefix + lapse);

    /// <summary>Holds an active or scheduled grant back; it may resume within its window.</summary>
    public Result Suspend(string reason)
    {
        if (Status is not (GrantStatus.Active or GrantStatus.Scheduled))
        {
            return Error.Conflict("grant.not_suspendable", $"A grant that is {Status.ToString().ToLowerInvariant()} cannot be suspended.");
        }

        Status = GrantStatus.Suspended;
        StatusReason = reason;
        Version = Guid.NewGuid();
        return Result.Success();
    }

    /// <summary>Resumes a suspended grant if its window is still open.</summary>
    public Result Resume(DateTimeOffset now)
    {
        if (Status != GrantStatus.Suspended)
        {
            return Error.Conflict("grant.not_suspended", "Only a suspended grant can resume.");
        }

        if (now >= NotAfter)
        {
            End(GrantStatus.Expired, now, null, null);
            return Error.Conflict("grant.window_passed", "The grant's window has passed while it was suspended.");
        }

        Status = now < NotBefore ? GrantStatus.Scheduled : GrantStatus.Active;
        StatusReason = null;
        Version = Guid.NewGuid();
        return Result.Success();
    }

    private void End(GrantStatus status, DateTimeOffset now, Guid? by, string? reason)
    {
        Status = status;
        EndedAt = Clock.Normalize(now);
        RevokedByUserId = by;
        StatusReason = reason;
        Version = Guid.NewGuid();
    }
}
