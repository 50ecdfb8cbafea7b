using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessReviews;

/// <summary>The staff an administrator may choose as reviewers (approvers and administrators, never partner users).</summary>
[RequirePolicy(Policies.Administrator)]
public sealed record ListReviewerCandidatesQuery : IQuery<Result<IReadOnlyList<DirectoryUser>>>;

public sealed class ListReviewerCandidatesHandler(IDbContextFactory<PartnerGateDbContext> contextFactory)
    : IQueryHandler<ListReviewerCandidatesQuery, Result<IReadOnlyList<DirectoryUser>>>
{
    public async ValueTask<Result<IReadOnlyList<DirectoryUser>>> Handle(ListReviewerCandidatesQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await StaffDirectory.ReviewersAsync(db, cancellationToken);
    }
}
