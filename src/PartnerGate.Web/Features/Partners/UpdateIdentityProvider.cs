using FluentValidation;
using Mediator;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Federation;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

/// <summary>
/// An administrator changes a provider's settings; the next sign-in uses them. An empty
/// <see cref="ClientSecret"/> keeps the stored secret (the form never shows it). <see cref="Version"/> is the
/// version the administrator saw: if someone changed the provider since, nothing is saved.
/// </summary>
[RequirePolicy(Policies.Administrator)]
[ConcurrencyConflictMessage(UpdateIdentityProviderHandler.ChangedMeanwhile)]
public sealed record UpdateIdentityProviderCommand(Guid ProviderId, Guid Version, IdentityProviderSettings Settings, string? ClientSecret) : ICommand<Result>
{
    public override string ToString() =>
        $"UpdateIdentityProviderCommand {{ ProviderId = {ProviderId}, Authority = {Settings.Authority}, ClientSecret = {(string.IsNullOrWhiteSpace(ClientSecret) ? "unchanged" : "***")} }}";
}

public sealed class UpdateIdentityProviderValidator : AbstractValidator<UpdateIdentityProviderCommand>
{
    public UpdateIdentityProviderValidator()
    {
        RuleFor(c => c.ProviderId).NotEmpty().WithMessage("Choose a provider.");
        RuleFor(c => c.Version).NotEmpty().WithMessage("Reload the provider before changing it.");
        RuleFor(c => c.Settings).NotNull().WithMessage("Enter the provider's settings.").SetValidator(new IdentityProviderSettingsValidator());
        RuleFor(c => c.ClientSecret).MaximumLength(IdentityProviderFields.MaximumClientSecretLength).WithMessage(IdentityProviderFields.SecretTooLongMessage);
    }
}

public sealed class UpdateIdentityProviderHandler(IUnitOfWork unitOfWork, IdentityProviderSecrets secrets, TimeProvider clock)
    : ICommandHandler<UpdateIdentityProviderCommand, Result>
{
    public const string ChangedMeanwhile =
        "Someone changed this identity provider after you opened it. Close the form, reload to see their change, then make yours again.";

    public async ValueTask<Result> Handle(UpdateIdentityProviderCommand command, CancellationToken cancellationToken)
    {
        if (await IdentityProviderLookup.FindAsync(unitOfWork.Db, command.ProviderId, cancellationToken) is not { } provider)
        {
            return IdentityProviderLookup.NotFound;
        }

        if (provider.Version != command.Version)
        {
            return Error.Conflict("idp.changed_meanwhile", ChangedMeanwhile);
        }

        var before = IdentityProviderAudit.Settings(provider);
        var previousAuthority = provider.Authority;
        var newSecret = string.IsNullOrWhiteSpace(command.ClientSecret) ? null : secrets.Protect(command.ClientSecret.Trim());
        var updated = provider.Update(command.Settings.DisplayName, command.Settings.Authority, command.Settings.ClientId, newSecret,
            command.Settings.Scopes, command.Settings.ClaimMapping, command.Settings.Mfa, clock.GetUtcNow());
        if (!updated.IsSuccess)
        {
            return IdentityProviderFields.OnField(updated.Error!);
        }

        unitOfWork.Audit("idp.updated", "PartnerIdentityProvider", provider.Id.ToString(), provider.PartnerId, new
        {
            before,
            after = IdentityProviderAudit.Settings(provider),
            clientSecretReplaced = newSecret is not null,
        });
        unitOfWork.PublishAfterCommit(new IdentityProviderChanged(provider.Id, provider.PartnerId, [previousAuthority, provider.Authority]));
        return Result.Success();
    }
}
