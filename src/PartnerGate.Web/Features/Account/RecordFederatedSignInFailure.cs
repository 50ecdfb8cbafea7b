using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.Web.Features.Account;

/// <summary>
/// Audits a federated sign-in the OpenID Connect handler refused before PartnerGate saw an identity: bad or
/// replayed state, failed correlation, an ID token with the wrong issuer, audience, nonce or signature, a
/// failed code redemption, or the provider's own refusal (access_denied). Writes the audit event only.
/// </summary>
[AllowAnonymousMessage]
public sealed record RecordFederatedSignInFailureCommand(Guid ProviderId, string Reason, string? ProviderError) : ICommand<Result>;

public sealed class RecordFederatedSignInFailureValidator : AbstractValidator<RecordFederatedSignInFailureCommand>
{
    public RecordFederatedSignInFailureValidator()
    {
        RuleFor(c => c.Reason).NotEmpty().MaximumLength(100);

        // The provider's error code comes from the callback's query string: keep what is audited short.
        RuleFor(c => c.ProviderError).MaximumLength(100);
    }
}

public sealed class RecordFederatedSignInFailureHandler(IUnitOfWork unitOfWork)
    : ICommandHandler<RecordFederatedSignInFailureCommand, Result>
{
    public async ValueTask<Result> Handle(RecordFederatedSignInFailureCommand command, CancellationToken cancellationToken)
    {
        var partnerId = await unitOfWork.Db.PartnerIdentityProviders.Where(p => p.Id == command.ProviderId)
            .Select(p => (Guid?)p.PartnerId).SingleOrDefaultAsync(cancellationToken);
        unitOfWork.Audit(FederatedSignIn.RefusedAuditAction, "PartnerIdentityProvider", command.ProviderId.ToString(), partnerId,
            new { reason = command.Reason, providerError = command.ProviderError, stage = "callback" });
        return Result.Success();
    }
}
