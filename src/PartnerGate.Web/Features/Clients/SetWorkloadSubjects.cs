using FluentValidation;
using Mediator;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Clients;

/// <summary>
/// Which subjects of tokens from the organisation's identity provider a service client may be exchanged for
/// (RFC 8693 token exchange at <c>/connect/token</c>). The owning partner's admin only (invariant 4): another
/// partner's client reads as not found. Takes effect at the next exchange; tokens already issued keep their life.
/// </summary>
[RequirePolicy(Policies.PartnerAdmin)]
[ConcurrencyConflictMessage("This client changed at the same moment. Reload and try again.")]
public sealed record SetWorkloadSubjectsCommand(string ClientId, IReadOnlyList<string> WorkloadSubjects) : ICommand<Result>;

public sealed class SetWorkloadSubjectsValidator : AbstractValidator<SetWorkloadSubjectsCommand>
{
    public SetWorkloadSubjectsValidator()
    {
        RuleFor(c => c.ClientId).NotEmpty().WithMessage("Choose a client.");
        RuleFor(c => c.WorkloadSubjects).NotNull().WithMessage("List the workload subjects, one per line.")
            .SetValidator(new WorkloadSubjectsValidator()!);
    }
}

/// <summary>The form-level rules for a list of workload subjects; the entity checks them again (<see cref="ApiClient.NormalizeWorkloadSubjects"/>).</summary>
public sealed class WorkloadSubjectsValidator : AbstractValidator<IReadOnlyList<string>>
{
    public WorkloadSubjectsValidator()
    {
        RuleFor(s => s).Must(s => s.Select(v => v?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Distinct(StringComparer.Ordinal).Count() <= ApiClient.MaximumWorkloadSubjects)
            .WithName("Workload subjects").WithMessage($"At most {ApiClient.MaximumWorkloadSubjects} workload subjects.");
        RuleForEach(s => s).Must(v => v is null || (v.Trim().Length <= ApiClient.MaximumWorkloadSubjectLength && !v.Trim().Any(char.IsControl)))
            .WithName("Workload subjects")
            .WithMessage($"A workload subject is at most {ApiClient.MaximumWorkloadSubjectLength} characters without line breaks or control characters.");
    }
}

public sealed class SetWorkloadSubjectsHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser)
    : ICommandHandler<SetWorkloadSubjectsCommand, Result>
{
    public async ValueTask<Result> Handle(SetWorkloadSubjectsCommand command, CancellationToken cancellationToken)
    {
        var client = await unitOfWork.Db.ApiClients.FindVisibleAsync(currentUser, command.ClientId, cancellationToken);
        if (client is null)
        {
            return ClientVisibility.NotFound(command.ClientId);
        }

        var before = client.WorkloadSubjects.ToList();
        var changed = client.SetWorkloadSubjects(currentUser.ToActor(), command.WorkloadSubjects);
        if (!changed.IsSuccess)
        {
            return changed.Error!.Kind == ErrorKind.Validation ? ClientRules.OnField(changed.Error!, nameof(command.WorkloadSubjects)) : changed.Error!;
        }

        unitOfWork.Audit("client.workload_subjects_changed", "ApiClient", client.ClientId, client.PartnerId, new
        {
            before,
            after = client.WorkloadSubjects,
        });
        return Result.Success();
    }
}
