using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Resources;

public sealed record ResourceSummary(
    Guid Id, string Name, string DisplayName, string Description, string Audience, Sensitivity Sensitivity,
    IReadOnlyList<ResourceScope> Scopes, string ApprovalInWords, IReadOnlyList<string> Requirements);

/// <summary>The resource catalogue: every signed-in user may see what exists and what it takes to get access.</summary>
[RequirePolicy(Policies.SignedIn)]
public sealed record ListResourcesQuery : IQuery<Result<IReadOnlyList<ResourceSummary>>>;

public sealed class ListResourcesHandler(IDbContextFactory<PartnerGateDbContext> contextFactory)
    : IQueryHandler<ListResourcesQuery, Result<IReadOnlyList<ResourceSummary>>>
{
    public async ValueTask<Result<IReadOnlyList<ResourceSummary>>> Handle(ListResourcesQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var resources = await db.Resources.AsNoTracking().OrderBy(r => r.DisplayName).ToListAsync(cancellationToken);
        return resources.Select(r => new ResourceSummary(
            r.Id, r.Name, r.DisplayName, r.Description, r.Audience, r.Sensitivity,
            r.Scopes.OrderBy(s => s.Name, StringComparer.Ordinal).ToList(), PolicyInWords.Approval(r.Policy), PolicyInWords.Requirements(r.Policy)))
            .ToList();
    }
}

/// <summary>A policy described the way a partner user would say it.</summary>
public static class PolicyInWords
{
    public static string Approval(AccessPolicy policy)
    {
        var approvers = string.Join(", then ", policy.Stages.Select(s => s.RequiredApprovals == 1
            ? "one approver"
            : $"{Number(s.RequiredApprovals)} different approvers"));
        var max = Durations.Describe(policy.MaxDuration);
        if (policy.AutoApproveUpTo is { } cap)
        {
            return cap >= policy.MaxDuration
                ? $"Approved automatically, up to {max}."
                : $"Up to {Durations.Describe(cap)} approved automatically; longer, up to {max}, needs {approvers}.";
        }

        return $"Up to {max}; needs {approvers}.";
    }

    public static IReadOnlyList<string> Requirements(AccessPolicy policy)
    {
        var requirements = new List<string>();
        if (policy.RequireMfa)
        {
            requirements.Add("Multi-factor sign-in");
        }

        requirements.AddRange(policy.RequiredCertifications.Select(c => $"Valid {c} certification"));
        return requirements;
    }

    private static string Number(int value) => value switch
    {
        2 => "two",
        3 => "three",
        4 => "four",
        _ => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
