using FluentValidation;
using Mediator;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

/// <summary>Lets the partner's users sign in through their provider again, from the next attempt on.</summary>
[RequirePolicy(Policies.Administrator)]
[ConcurrencyConflictMessage("This identity provider changed at the same moment. Reload and try again.")]
public sealed record EnableIdentityProviderCommand(Guid ProviderId) : ICommand<Result>;

public sealed class EnableIdentityProviderValidator : AbstractValidator<EnableIdentityProviderCommand>
{
    public EnableIdentityProviderValidator() => RuleFor(c => c.ProviderId).NotEmpty().WithMessage("Choose a provider.");
}

public sealed class EnableIdentityProviderHandler(IUnitOfWork unitOfWork, TimeProvider clock) : ICommandHandler<EnableIdentityProviderCommand, Result>
{
    public async ValueTask<Result> Handle(EnableIdentityProviderCommand command, CancellationToken cancellationToken)
    {
        if (await IdentityProviderLookup.FindAsync(unitOfWork.Db, command.ProviderId, cancellationToken) is not { } provider)
        {
            return IdentityProviderLookup.NotFound;
        }

        var reason = provider.DisabledReason;
        var enabled = provider.Enable(clock.GetUtcNow());
        if (!enabled.IsSuccess)
        {
            return enabled;
        }

        unitOfWork.Audit("idp.enabled", "PartnerIdentityProvider", provider.Id.ToString(), provider.PartnerId, new
        {
            name = provider.DisplayName, before = nameof(IdentityProviderStatus.Disabled), after = nameof(IdentityProviderStatus.Enabled), disabledFor = reason,
        });
        unitOfWork.PublishAfterCommit(new IdentityProviderChanged(provider.Id, provider.PartnerId, [provider.Authority]));
        return Result.Success();
    }
}
