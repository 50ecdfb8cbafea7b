using PartnerGate.Domain.Common;

namespace PartnerGate.Domain.Resources;

/// <summary>One approval stage: how many distinct people holding <see cref="ApproverRole"/> must approve.</summary>
public sealed record ApprovalStage(int Order, string ApproverRole, int RequiredApprovals);

/// <summary>
/// Per resource: how long a grant may last, who approves in which order, when approval is automatic,
/// and what the partner must bring (MFA, certifications).
/// </summary>
public sealed class AccessPolicy
{
    public static readonly TimeSpan DefaultDecisionWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromMinutes(5);

    private AccessPolicy()
    {
        Stages = [];
        RequiredCertifications = [];
    }

    public TimeSpan MaxDuration { get; private set; }

    /// <summary>Stages in order. Empty only when every request is auto-approved.</summary>
    public List<ApprovalStage> Stages { get; private set; }

    /// <summary>Requests up to this duration are approved without a person; null when auto-approval is off.</summary>
    public TimeSpan? AutoApproveUpTo { get; private set; }
    public bool RequireMfa { get; private set; }
    public List<string> RequiredCertifications { get; private set; }

    /// <summary>Pending requests not decided within this window expire.</summary>
    public TimeSpan DecisionWindow { get; private set; }

    /// <summary>Access tokens for this resource live at most this long (and never past the grant).</summary>
    public TimeSpan TokenLifetime { get; private set; }

    public static AccessPolicy Create(
        TimeSpan maxDuration,
        IEnumerable<ApprovalStage> stages,
        TimeSpan? autoApproveUpTo = null,
        bool requireMfa = false,
        IEnumerable<string>? requiredCertifications = null,
        TimeSpan? decisionWindow = null,
        TimeSpan? tokenLifetime = null) => new()
        {
            MaxDuration = maxDuration,
            // Copies: a stage instance shared between two policies would be stored for only one of them.
            Stages = stages.OrderBy(s => s.Order).Select(s => s with { }).ToList(),
            AutoApproveUpTo = autoApproveUpTo,
            RequireMfa = requireMfa,
            RequiredCertifications = requiredCertifications?.ToList() ?? [],
            DecisionWindow = decisionWindow ?? DefaultDecisionWindow,
            TokenLifetime = tokenLifetime ?? DefaultTokenLifetime,
        };

    /// <summary>True when a request of this duration on a resource of this sensitivity needs no approver.</summary>
    public bool AllowsAutoApproval(Sensitivity sensitivity, TimeSpan duration) =>
        sensitivity == Sensitivity.Low && AutoApproveUpTo is { } cap && duration <= cap && duration <= MaxDuration;

    /// <summary>The policy's own consistency rules, checked whenever a resource is defined.</summary>
    public Result CheckAgainst(Sensitivity sensitivity)
    {
        if (MaxDuration <= TimeSpan.Zero)
        {
            return Error.Validation("policy.max_duration_invalid", "The maximum grant duration must be positive.");
        }

        if (AutoApproveUpTo is not null && sensitivity != Sensitivity.Low)
        {
            return Error.Validation("policy.auto_approval_not_low", "Auto-approval is allowed only for Low sensitivity resources.");
        }

        if (AutoApproveUpTo is { } cap && (cap <= TimeSpan.Zero || cap > MaxDuration))
        {
            return Error.Validation("policy.auto_approval_cap_invalid", "The auto-approval cap must be positive and within the maximum duration.");
        }

        if (Stages.Count == 0 && (AutoApproveUpTo is null || AutoApproveUpTo < MaxDuration))
        {
            return Error.Validation("policy.stages_required", "Requests beyond the auto-approval cap need at least one approval stage.");
        }

        if (Stages.Any(s => s.RequiredApprovals < 1 || !Roles.IsManufacturerRole(s.ApproverRole)))
        {
            return Error.Validation("policy.stage_invalid", "Each stage needs at least one approver, drawn from manufacturer staff.");
        }

        if (DecisionWindow <= TimeSpan.Zero || TokenLifetime <= TimeSpan.Zero)
        {
            return Error.Validation("policy.window_invalid", "The decision window and token lifetime must be positive.");
        }

        return Result.Success();
    }
}
