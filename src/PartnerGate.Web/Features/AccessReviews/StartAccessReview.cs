using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Features.KillSwitches;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessReviews;

/// <summary>
/// An administrator starts a review of a partner's or a resource's live grants (the same set a kill switch of that
/// target would end), with a deadline and reviewers. The grants are snapshotted as one item each.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record StartAccessReviewCommand(AccessReviewKind Kind, Guid TargetId, DateTimeOffset Deadline, IReadOnlyList<Guid> ReviewerIds)
    : ICommand<Result<Guid>>;

public sealed class StartAccessReviewValidator : AbstractValidator<StartAccessReviewCommand>
{
    public StartAccessReviewValidator()
    {
        RuleFor(c => c.Kind).IsInEnum().WithMessage("Choose a partner or a resource to review.");
        RuleFor(c => c.TargetId).NotEmpty().WithMessage("Choose what to review.");
        RuleFor(c => c.ReviewerIds).NotEmpty().WithMessage("Choose at least one reviewer.")
            .Must(ids => ids is null || ids.Count <= AccessReview.MaxReviewers).WithMessage($"Choose at most {AccessReview.MaxReviewers} reviewers.");
        RuleForEach(c => c.ReviewerIds).NotEmpty().WithMessage("Choose reviewers from the list.");
    }
}

public sealed class StartAccessReviewHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<StartAccessReviewCommand, Result<Guid>>
{
    public async ValueTask<Result<Guid>> Handle(StartAccessReviewCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var switchKind = command.Kind == AccessReviewKind.Partner ? KillSwitchKind.Partner : KillSwitchKind.Resource;
        if (await KillSwitchScope.ResolveAsync(db, switchKind, command.TargetId.ToString(), cancellationToken) is not { } target)
        {
            return Error.NotFound("review.target_not_found", command.Kind == AccessReviewKind.Partner ? "That partner does not exist." : "That resource does not exist.");
        }

        var reviewerIds = command.ReviewerIds.Distinct().ToList();
        var reviewers = await StaffDirectory.UsersAsync(db, reviewerIds, cancellationToken);
        if (reviewers.Count != reviewerIds.Count)
        {
            return Error.Validation("review.reviewer_not_found", "A chosen reviewer does not exist. Reload and choose again.");
        }

        var grants = await KillSwitchScope.Grants(db, target).AsNoTracking().ToListAsync(cancellationToken);
        var snapshot = await DescribeAsync(db, grants, cancellationToken);
        var started = AccessReview.Start(currentUser.ToActor(), command.Kind, command.TargetId, target.Name,
            reviewers.Select(r => r.ToActor()).ToList(), snapshot, command.Deadline, clock.GetUtcNow());
        if (!started.IsSuccess)
        {
            return started.Error!;
        }

        var review = started.Value;
        db.AccessReviews.Add(review);
        unitOfWork.Audit("review.started", "AccessReview", review.Id.ToString(), review.PartnerId, new
        {
            kind = review.Kind.ToString(),
            target = review.TargetName,
            targetId = review.TargetId,
            review.Deadline,
            reviewers = review.Reviewers.Select(r => new { r.UserId, r.DisplayName }),
            grants = review.Items.Select(i => i.GrantId),
        });
        unitOfWork.PublishAfterCommit(new AccessReviewStarted(review.Id));
        return review.Id;
    }

    /// <summary>The names reviewers read for each grant: its partner, its subject (user or API client) and its resource.</summary>
    private static async Task<List<GrantUnderReview>> DescribeAsync(PartnerGateDbContext db, List<Grant> grants, CancellationToken cancellationToken)
    {
        var partnerIds = grants.Select(g => g.PartnerId).Distinct().ToList();
        var resourceIds = grants.Select(g => g.ResourceId).Distinct().ToList();
        var userIds = grants.Where(g => g.Subject.Kind == SubjectKind.User).Select(g => Guid.TryParse(g.Subject.Id, out var id) ? id : Guid.Empty).Distinct().ToList();
        var clientIds = grants.Where(g => g.Subject.Kind == SubjectKind.Client).Select(g => g.Subject.Id).Distinct().ToList();
        var partners = await db.Partners.AsNoTracking().Where(p => partnerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        var resources = await db.Resources.AsNoTracking().Where(r => resourceIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.DisplayName, cancellationToken);
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id.ToString(), u => $"{u.DisplayName} ({u.Email})", cancellationToken);
        var clients = await db.ApiClients.AsNoTracking().Where(c => clientIds.Contains(c.ClientId))
            .ToDictionaryAsync(c => c.ClientId, c => $"API client {c.DisplayName} ({c.ClientId})", cancellationToken);
        return grants.Select(g => new GrantUnderReview(
            g,
            partners.GetValueOrDefault(g.PartnerId, "unknown partner"),
            (g.Subject.Kind == SubjectKind.User ? users : clients).GetValueOrDefault(g.Subject.Id, g.Subject.Id),
            resources.GetValueOrDefault(g.ResourceId, "unknown resource"))).ToList();
    }
}
