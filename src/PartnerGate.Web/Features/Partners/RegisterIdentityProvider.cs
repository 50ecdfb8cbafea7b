using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Federation;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

/// <summary>
/// An administrator registers a partner's OpenID Connect provider; its users sign in there from the next
/// sign-in on (no restart). <see cref="ProviderId"/> may be chosen by the caller so the redirect URI can be
/// shown, and registered at the partner's IdP, before saving. The secret is protected before it reaches the entity.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record RegisterIdentityProviderCommand(Guid PartnerId, IdentityProviderSettings Settings, string ClientSecret, Guid? ProviderId = null)
    : ICommand<Result<Guid>>
{
    public override string ToString() => $"RegisterIdentityProviderCommand {{ PartnerId = {PartnerId}, Authority = {Settings.Authority}, ClientSecret = *** }}";
}

public sealed class RegisterIdentityProviderValidator : AbstractValidator<RegisterIdentityProviderCommand>
{
    public RegisterIdentityProviderValidator()
    {
        RuleFor(c => c.PartnerId).NotEmpty().WithMessage("Choose a partner.");
        RuleFor(c => c.ProviderId).NotEqual(Guid.Empty).WithMessage("A provider id cannot be empty.");
        RuleFor(c => c.Settings).NotNull().WithMessage("Enter the provider's settings.").SetValidator(new IdentityProviderSettingsValidator());
        RuleFor(c => c.ClientSecret).NotEmpty().WithMessage(IdentityProviderFields.SecretRequiredMessage)
            .Must(s => s is null || s.Trim().Length > 0).WithMessage(IdentityProviderFields.SecretRequiredMessage)
            .MaximumLength(IdentityProviderFields.MaximumClientSecretLength).WithMessage(IdentityProviderFields.SecretTooLongMessage);
    }
}

public sealed class RegisterIdentityProviderHandler(IUnitOfWork unitOfWork, IdentityProviderSecrets secrets, TimeProvider clock)
    : ICommandHandler<RegisterIdentityProviderCommand, Result<Guid>>
{
    public async ValueTask<Result<Guid>> Handle(RegisterIdentityProviderCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var partner = await db.Partners.SingleOrDefaultAsync(p => p.Id == command.PartnerId, cancellationToken);
        if (partner is null)
        {
            return Error.NotFound("partner_not_found", "That partner is not registered. Reload the partner list.");
        }

        var existing = await db.PartnerIdentityProviders.AsNoTracking()
            .Where(p => p.PartnerId == partner.Id || p.Id == command.ProviderId)
            .Select(p => new { p.PartnerId, p.DisplayName })
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return existing.PartnerId == partner.Id
                ? Error.Conflict("idp.already_registered",
                    $"{partner.Name} already has an identity provider ({existing.DisplayName}); a partner has at most one. Edit that one instead.")
                : Error.Conflict("idp.id_taken", "That provider id is already in use. Close the form and start again.");
        }

        var registered = PartnerIdentityProvider.Register(partner, command.Settings.DisplayName, command.Settings.Authority, command.Settings.ClientId,
            secrets.Protect(command.ClientSecret.Trim()), command.Settings.Scopes, command.Settings.ClaimMapping, command.Settings.Mfa,
            clock.GetUtcNow(), command.ProviderId);
        if (!registered.IsSuccess)
        {
            return IdentityProviderFields.OnField(registered.Error!);
        }

        var provider = registered.Value;
        db.PartnerIdentityProviders.Add(provider);
        unitOfWork.Audit("idp.registered", "PartnerIdentityProvider", provider.Id.ToString(), provider.PartnerId, IdentityProviderAudit.Settings(provider));
        unitOfWork.PublishAfterCommit(new IdentityProviderChanged(provider.Id, provider.PartnerId, [provider.Authority]));
        return provider.Id;
    }
}

/// <summary>What the audit trail records of a provider's settings: everything an investigator needs, never the secret.</summary>
internal static class IdentityProviderAudit
{
    public static object Settings(PartnerIdentityProvider provider) => new
    {
        name = provider.DisplayName,
        authority = provider.Authority,
        clientId = provider.ClientId,
        scopes = provider.Scopes,
        emailClaim = provider.ClaimMapping.EmailClaim,
        nameClaim = provider.ClaimMapping.NameClaim,
        roleClaim = provider.ClaimMapping.RoleClaim,
        partnerAdminRoleValue = provider.ClaimMapping.PartnerAdminRoleValue,
        mfaRequired = provider.Mfa.Required,
        acceptedAcrValues = provider.Mfa.AcceptedAcrValues,
        status = provider.Status.ToString(),
    };
}
