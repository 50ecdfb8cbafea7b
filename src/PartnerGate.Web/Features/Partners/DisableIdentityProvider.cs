using FluentValidation;
using Mediator;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

/// <summary>
/// Stops sign-in through a partner's provider from the next attempt on. The partner's domains are not handed
/// back to local passwords: nobody of the partner signs in until it is enabled again (deny by default).
/// </summary>
[RequirePolicy(Policies.Administrator)]
[ConcurrencyConflictMessage("This identity provider changed at the same moment. Reload and try again.")]
public sealed record DisableIdentityProviderCommand(Guid ProviderId, string Reason) : ICommand<Result>;

public sealed class DisableIdentityProviderValidator : AbstractValidator<DisableIdentityProviderCommand>
{
    public DisableIdentityProviderValidator()
    {
        RuleFor(c => c.ProviderId).NotEmpty().WithMessage("Choose a provider.");
        RuleFor(c => c.Reason).Custom((reason, context) =>
        {
            if (PartnerIdentityProvider.CheckReason(reason) is { } problem)
            {
                context.AddFailure(problem.Message);
            }
        });
    }
}

public sealed class DisableIdentityProviderHandler(IUnitOfWork unitOfWork, TimeProvider clock) : ICommandHandler<DisableIdentityProviderCommand, Result>
{
    public async ValueTask<Result> Handle(DisableIdentityProviderCommand command, CancellationToken cancellationToken)
    {
        if (await IdentityProviderLookup.FindAsync(unitOfWork.Db, command.ProviderId, cancellationToken) is not { } provider)
        {
            return IdentityProviderLookup.NotFound;
        }

        var disabled = provider.Disable(command.Reason, clock.GetUtcNow());
        if (!disabled.IsSuccess)
        {
            return IdentityProviderFields.OnField(disabled.Error!);
        }

        unitOfWork.Audit("idp.disabled", "PartnerIdentityProvider", provider.Id.ToString(), provider.PartnerId, new
        {
            name = provider.DisplayName, before = nameof(IdentityProviderStatus.Enabled), after = nameof(IdentityProviderStatus.Disabled), reason = provider.DisabledReason,
        });
        unitOfWork.PublishAfterCommit(new IdentityProviderChanged(provider.Id, provider.PartnerId, [provider.Authority]));
        return Result.Success();
    }
}
