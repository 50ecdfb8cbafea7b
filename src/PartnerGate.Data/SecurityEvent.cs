namespace PartnerGate.Data;

/// <summary>What changed about something tokens depend on; each kind maps to one CAEP event shape on the revocation feed.</summary>
public enum SecurityEventKind
{
    /// <summary>A grant was revoked (by an approver, an administrator's kill switch, or given up): its tokens die. CAEP session-revoked.</summary>
    GrantRevoked,

    /// <summary>A grant is held back by posture (a lapsed certification): its tokens die until it resumes. CAEP session-revoked.</summary>
    GrantSuspended,

    /// <summary>A suspended grant resumed inside its window. CAEP token-claims-change (grant_status: active).</summary>
    GrantResumed,

    /// <summary>An API client was disabled or deleted: every token issued to it dies. CAEP token-claims-change (client_status: disabled).</summary>
    ClientDisabled,

    /// <summary>A disabled API client was enabled again. CAEP token-claims-change (client_status: active).</summary>
    ClientEnabled,

    /// <summary>A partner was suspended: every token carrying its partner_id dies. CAEP token-claims-change (partner_status: suspended).</summary>
    PartnerSuspended,

    /// <summary>A suspended partner was reinstated. CAEP token-claims-change (partner_status: active).</summary>
    PartnerReinstated,
}

/// <summary>
/// One entry of the revocation feed, written in the same transaction as the change it describes (so it is
/// persisted before anyone is told) and delivered afterwards as a signed Security Event Token (RFC 8417).
/// <see cref="Sequence"/> is assigned at commit while the audit chain's head row is locked, so sequences
/// commit in order and without gaps: a reader that has seen N has seen everything up to N.
/// </summary>
public sealed class SecurityEvent
{
    public long Sequence { get; set; }

    /// <summary>The SET's <c>jti</c>: the same on every delivery, so receivers can drop duplicates.</summary>
    public Guid Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public SecurityEventKind Kind { get; set; }

    /// <summary>What the event is about: a grant id, a client_id or a partner id, by <see cref="Kind"/>.</summary>
    public string SubjectId { get; set; } = string.Empty;

    /// <summary>The partner concerned (the SET's tenant), when there is one.</summary>
    public Guid? PartnerId { get; set; }

    /// <summary>
    /// For grant events: the grant's NotAfter. No token outlives its grant (invariant 1), so a resource server may
    /// forget a revoked grant after this moment.
    /// </summary>
    public DateTimeOffset? Until { get; set; }

    /// <summary>Why, as an administrator would read it (CAEP reason_admin). Never holds secrets.</summary>
    public string? Reason { get; set; }

    /// <summary>CAEP initiating_entity: admin, user, policy or system.</summary>
    public string InitiatingEntity { get; set; } = SecurityEventInitiator.Admin;
}

/// <summary>The CAEP <c>initiating_entity</c> values.</summary>
public static class SecurityEventInitiator
{
    public const string Admin = "admin";
    public const string User = "user";
    public const string Policy = "policy";
    public const string System = "system";
}

/// <summary>A security event a unit of work wants on the feed; becomes a <see cref="SecurityEvent"/> at commit.</summary>
public sealed record SecurityEventEntry(SecurityEventKind Kind, string SubjectId, Guid? PartnerId, DateTimeOffset? Until, string? Reason, string InitiatingEntity);
