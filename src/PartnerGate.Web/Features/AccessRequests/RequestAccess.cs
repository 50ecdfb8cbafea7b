using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessRequests;

/// <summary>What became of a new request: waiting for approvers, or approved at once by the policy.</summary>
public sealed record RequestAccessOutcome(Guid RequestId, bool AutoApproved, Guid? GrantId);

/// <summary>
/// A partner member asks for time-boxed access to scopes of one resource, for themself or — with
/// <see cref="ClientId"/> — for one of their organisation's active service clients. A null
/// <see cref="StartsAt"/> means now.
/// </summary>
[RequirePolicy(Policies.PartnerMember)]
public sealed record RequestAccessCommand(
    Guid ResourceId,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? StartsAt,
    TimeSpan Duration,
    string Justification,
    string? TicketReference,
    string? ClientId = null) : ICommand<Result<RequestAccessOutcome>>;

public sealed class RequestAccessValidator : AbstractValidator<RequestAccessCommand>
{
    public RequestAccessValidator()
    {
        RuleFor(c => c.ResourceId).NotEmpty().WithMessage("Choose a resource.");
        RuleFor(c => c.Scopes).NotEmpty().WithMessage("Choose at least one scope.")
            .Must(s => s is null || s.Count <= 20).WithMessage("Choose at most 20 scopes.");
        RuleForEach(c => c.Scopes).NotEmpty().MaximumLength(100).WithMessage("A scope name is at most 100 characters.");
        RuleFor(c => c.Duration).GreaterThan(TimeSpan.Zero).WithMessage("The duration must be positive.")
            .LessThanOrEqualTo(TimeSpan.FromDays(366)).WithMessage("The duration can be at most a year.");
        RuleFor(c => c.Justification).NotEmpty().WithMessage("Explain why you need access.")
            .Must(j => j is null || j.Trim().Length >= AccessRequest.MinimumJustificationLength)
            .WithMessage($"Explain why you need access in at least {AccessRequest.MinimumJustificationLength} characters.")
            .MaximumLength(2000).WithMessage("The justification can be at most 2,000 characters.");
        RuleFor(c => c.ClientId).MaximumLength(ApiClient.MaximumClientIdLength).WithMessage("Choose one of your organisation's clients.");
        RuleFor(c => c.TicketReference).MaximumLength(100).WithMessage("The ticket reference can be at most 100 characters.");
    }
}

public sealed class RequestAccessHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<RequestAccessCommand, Result<RequestAccessOutcome>>
{
    public async ValueTask<Result<RequestAccessOutcome>> Handle(RequestAccessCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var now = clock.GetUtcNow();
        var actor = currentUser.ToActor();
        var partner = await db.Partners.SingleOrDefaultAsync(p => p.Id == actor.PartnerId, cancellationToken);
        if (partner is null)
        {
            return Error.NotFound("partner_not_found", "Your organisation is no longer registered.");
        }

        var resource = await db.Resources.SingleOrDefaultAsync(r => r.Id == command.ResourceId, cancellationToken);
        if (resource is null)
        {
            return Error.NotFound("resource_not_found", "That resource does not exist (any more).");
        }

        var subject = await SubjectAsync(command.ClientId, actor, cancellationToken);
        if (!subject.IsSuccess)
        {
            return subject.Error!;
        }

        var submitted = AccessRequest.Submit(partner, resource, actor, subject.Value, command.Scopes.Select(s => s.Trim()).ToList(),
            command.StartsAt ?? now, command.Duration, command.Justification, command.TicketReference, now);
        if (!submitted.IsSuccess)
        {
            return submitted.Error!;
        }

        // After the request's own rules, so a request that cannot succeed anyway says why first. The session decides
        // for requests made for a service client too: the person asking is who must have proven MFA.
        if (resource.Policy.RequireMfa && !currentUser.HasMultiFactorSession)
        {
            return Error.PolicyRefused("request.mfa_required",
                $"{resource.DisplayName} requires a multi-factor sign-in; sign in through your organisation's identity provider with MFA, then ask again.");
        }

        var request = submitted.Value;
        var duplicate = await FindDuplicateAsync(request, now, cancellationToken);
        if (duplicate is not null)
        {
            return duplicate;
        }

        db.AccessRequests.Add(request);
        unitOfWork.Audit("request.submitted", "AccessRequest", request.Id.ToString(), partner.Id, new
        {
            after = "Pending",
            resource = resource.Name,
            scopes = request.Scopes,
            notBefore = request.NotBefore,
            notAfter = request.NotAfter,
            ticket = request.TicketReference,
            client = command.ClientId,
        });

        if (!resource.Policy.AllowsAutoApproval(resource.Sensitivity, request.Duration))
        {
            unitOfWork.PublishAfterCommit(new AccessRequested(request.Id, partner.Id, resource.Id, request.CurrentStageOrder(resource)));
            return new RequestAccessOutcome(request.Id, AutoApproved: false, GrantId: null);
        }

        var grant = request.AutoApprove(resource, now).Value;
        db.Grants.Add(grant);
        unitOfWork.Audit("request.auto_approved", "AccessRequest", request.Id.ToString(), partner.Id, new
        {
            rule = $"Low sensitivity, up to {Durations.Describe(resource.Policy.AutoApproveUpTo!.Value)}",
        });
        unitOfWork.Audit("grant.created", "Grant", grant.Id.ToString(), partner.Id, new
        {
            request = request.Id, resource = resource.Name, scopes = grant.Scopes, grant.NotBefore, grant.NotAfter, autoApproved = true,
        });
        unitOfWork.PublishAfterCommit(new RequestApproved(request.Id, partner.Id, Guid.Empty, grant.Id, 0, AutoApproved: true));
        if (grant.Status == GrantStatus.Active)
        {
            unitOfWork.PublishAfterCommit(new GrantActivated(grant.Id, partner.Id));
        }

        return new RequestAccessOutcome(request.Id, AutoApproved: true, grant.Id);
    }

    /// <summary>The requester themself, or a client of theirs that may hold grants: their partner's, active, a service.</summary>
    private async Task<Result<AccessSubject>> SubjectAsync(string? clientId, Actor actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(clientId))
        {
            return AccessSubject.ForUser(actor.UserId);
        }

        var client = await unitOfWork.Db.ApiClients.AsNoTracking()
            .SingleOrDefaultAsync(c => c.ClientId == clientId && c.PartnerId == actor.PartnerId, cancellationToken);
        if (client is null)
        {
            return Error.NotFound("request.client_not_found", $"Your organisation has no API client '{clientId}'.");
        }

        if (!client.IsActive)
        {
            return Error.PolicyRefused("request.client_disabled", $"The client '{clientId}' is disabled; enable it before requesting access for it.");
        }

        return client.Kind == ApiClientKind.Service
            ? AccessSubject.ForClient(client.ClientId)
            : Error.Validation("request.client_not_service", $"'{clientId}' is a web app: it acts for signed-in users, so request access for yourself instead.");
    }

    /// <summary>An identical pending request, or a live grant that already covers these scopes in an overlapping window.</summary>
    private async Task<Error?> FindDuplicateAsync(AccessRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var pending = await db.AccessRequests
            .Where(r => r.Status == AccessRequestStatus.Pending && r.ResourceId == request.ResourceId
                && r.Subject.Kind == request.Subject.Kind && r.Subject.Id == request.Subject.Id)
            .Select(r => r.Scopes)
            .ToListAsync(cancellationToken);
        if (pending.Any(scopes => scopes.Order(StringComparer.Ordinal).SequenceEqual(request.Scopes)))
        {
            return Error.Conflict("request.duplicate_pending", "You already have a pending request for exactly these scopes; wait for its decision or cancel it.");
        }

        var live = await db.Grants
            .Where(g => (g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled) && g.ResourceId == request.ResourceId
                && g.Subject.Kind == request.Subject.Kind && g.Subject.Id == request.Subject.Id
                && g.NotAfter > now && g.NotBefore < request.NotAfter && g.NotAfter > request.NotBefore)
            .Select(g => g.Scopes)
            .ToListAsync(cancellationToken);
        return live.Any(scopes => request.Scopes.All(scopes.Contains))
            ? Error.Conflict("request.duplicate_grant", "You already hold a grant for these scopes in that window.")
            : null;
    }
}
