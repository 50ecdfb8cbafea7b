using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Features.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessRequests;

public sealed record DecisionSummary(string ApproverName, DecisionOutcome Outcome, int Stage, string? Comment, DateTimeOffset? ShortenedNotAfter, DateTimeOffset DecidedAt);

public sealed record AccessRequestDetails(
    Guid Id, string RequesterName, string RequesterEmail, string PartnerName, IReadOnlyList<CertificationSummary> PartnerCertifications,
    string ResourceName, Sensitivity Sensitivity, string ApprovalInWords, IReadOnlyList<string> Scopes,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Justification, string? TicketReference,
    AccessRequestStatus Status, DateTimeOffset SubmittedAt, DateTimeOffset DecideBy, bool AutoApproved,
    int CurrentStage, int StageCount, IReadOnlyList<DecisionSummary> Decisions, bool CanDecide, bool CanCancel);

/// <summary>Everything an approver needs to decide one request, or a partner to follow it; only for those who may see it (invariant 4).</summary>
[RequirePolicy(Policies.SignedIn)]
public sealed record GetAccessRequestDetailsQuery(Guid RequestId) : IQuery<Result<AccessRequestDetails>>;

public sealed class GetAccessRequestDetailsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock)
    : IQueryHandler<GetAccessRequestDetailsQuery, Result<AccessRequestDetails>>
{
    public async ValueTask<Result<AccessRequestDetails>> Handle(GetAccessRequestDetailsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var request = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).VisibleTo(currentUser)
            .SingleOrDefaultAsync(r => r.Id == query.RequestId, cancellationToken);
        if (request is null)
        {
            return Error.NotFound("request_not_found", "That request does not exist.");
        }

        var now = clock.GetUtcNow();
        var partner = await db.Partners.AsNoTracking().SingleAsync(p => p.Id == request.PartnerId, cancellationToken);
        var resource = await db.Resources.AsNoTracking().SingleAsync(r => r.Id == request.ResourceId, cancellationToken);
        var requester = await db.Users.AsNoTracking().Where(u => u.Id == request.RequestedByUserId)
            .Select(u => new { u.DisplayName, u.Email }).SingleAsync(cancellationToken);

        var me = currentUser.UserId;
        // The domain's own decider rules (invariant 3), so the dialog never offers a decision the command would refuse.
        var canDecide = request.CanBeDecidedBy(resource, currentUser.ToActor(), now);
        var canCancel = request.Status == AccessRequestStatus.Pending && currentUser.PartnerId == request.PartnerId
            && (request.RequestedByUserId == me || currentUser.IsInRole(Roles.PartnerAdmin));

        return new AccessRequestDetails(
            request.Id, RequesterWords.Describe(requester.DisplayName, request.Subject), requester.Email ?? string.Empty, partner.Name,
            partner.Certifications.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => new CertificationSummary(c.Name, c.ValidUntil, c.ValidUntil > now)).ToList(),
            resource.DisplayName, resource.Sensitivity, Resources.PolicyInWords.Approval(resource.Policy), request.Scopes,
            request.NotBefore, request.NotAfter, request.Justification, request.TicketReference,
            request.Status, request.SubmittedAt, request.DecideBy, request.AutoApproved,
            request.CurrentStageOrder(resource), resource.Policy.Stages.Count,
            request.Decisions.OrderBy(d => d.DecidedAt).Select(d => new DecisionSummary(d.ApproverName, d.Outcome, d.Stage, d.Comment, d.ShortenedNotAfter, d.DecidedAt)).ToList(),
            canDecide, canCancel);
    }
}
