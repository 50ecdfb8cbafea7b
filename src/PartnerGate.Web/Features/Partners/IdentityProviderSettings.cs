using FluentValidation;
using Mediator;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Federation;

namespace PartnerGate.Web.Features.Partners;

/// <summary>
/// The settings of a partner's identity provider as an administrator enters them (everything but the secret,
/// which travels beside them and is never read back).
/// </summary>
public sealed record IdentityProviderSettings(
    string DisplayName,
    string Authority,
    string ClientId,
    IReadOnlyList<string> Scopes,
    string EmailClaim,
    string NameClaim,
    string? RoleClaim,
    string? PartnerAdminRoleValue,
    bool MfaRequired,
    IReadOnlyList<string> AcceptedAcrValues)
{
    public IdentityProviderClaimMapping ClaimMapping => new(EmailClaim, NameClaim, RoleClaim, PartnerAdminRoleValue);

    public IdentityProviderMfaRequirement Mfa => new(MfaRequired, AcceptedAcrValues ?? []);
}

/// <summary>
/// The entity's own rules (<see cref="PartnerIdentityProvider"/>), applied per field so the form shows each
/// message under its field; the entity checks them again whoever calls it.
/// </summary>
public sealed class IdentityProviderSettingsValidator : AbstractValidator<IdentityProviderSettings>
{
    public IdentityProviderSettingsValidator()
    {
        RuleFor(s => s.DisplayName).Custom((v, c) => Report(c, PartnerIdentityProvider.CheckDisplayName(v)));
        RuleFor(s => s.Authority).Custom((v, c) => Report(c, PartnerIdentityProvider.CheckAuthority(v)));
        RuleFor(s => s.ClientId).Custom((v, c) => Report(c, PartnerIdentityProvider.CheckClientId(v)));
        RuleFor(s => s.Scopes).Custom((v, c) => Report(c, PartnerIdentityProvider.CheckScopes(PartnerIdentityProvider.NormalizeScopes(v ?? []))));
        RuleFor(s => s.EmailClaim).Custom((v, c) => Report(c, IdentityProviderFields.CheckClaimName(v, "e-mail")));
        RuleFor(s => s.NameClaim).Custom((v, c) => Report(c, IdentityProviderFields.CheckClaimName(v, "name")));
        RuleFor(s => s.RoleClaim).Custom((v, c) => Report(c, string.IsNullOrWhiteSpace(v) ? null : IdentityProviderFields.CheckClaimName(v, "role")));
        RuleFor(s => s.PartnerAdminRoleValue).Custom((v, c) =>
        {
            var mapping = PartnerIdentityProvider.NormalizeClaimMapping(c.InstanceToValidate.ClaimMapping with { EmailClaim = "email", NameClaim = "name" });
            var problem = PartnerIdentityProvider.CheckClaimMapping(mapping);
            Report(c, problem?.Code == "idp.claims_invalid" ? null : problem);
        });
        RuleFor(s => s.AcceptedAcrValues).Custom((v, c) => Report(c, PartnerIdentityProvider.CheckAcrValues(PartnerIdentityProvider.NormalizeAcrValues(v ?? []))));
    }

    private static void Report<T>(ValidationContext<T> context, Error? error)
    {
        if (error is not null)
        {
            context.AddFailure(error.Message);
        }
    }
}

/// <summary>Shared by the identity provider slices and their form, so the pipeline and the UI say the same thing.</summary>
public static class IdentityProviderFields
{
    public const int MaximumClientSecretLength = 1000;

    public const string SecretRequiredMessage = "Enter the client secret the provider issued for PartnerGate.";

    public static readonly string SecretTooLongMessage = $"The client secret can be at most {MaximumClientSecretLength:N0} characters.";

    public static Error? CheckClaimName(string? value, string what) =>
        string.IsNullOrWhiteSpace(value) || value.Trim().Length > PartnerIdentityProvider.MaximumClaimNameLength || value.Trim().Any(char.IsWhiteSpace)
            ? Error.Validation("idp.claims_invalid", $"Name the claim that carries the {what}: 1–{PartnerIdentityProvider.MaximumClaimNameLength} characters without spaces.")
            : null;

    /// <summary>Which command field a domain error is about, so the form can show it there.</summary>
    public static Error OnField(Error error) => FieldOf(error.Code) is { } field
        ? error with { FieldErrors = new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [error.Message] } }
        : error;

    private static string? FieldOf(string code) => code switch
    {
        "idp.name_invalid" => "Settings.DisplayName",
        "idp.authority_invalid" => "Settings.Authority",
        "idp.client_id_invalid" => "Settings.ClientId",
        "idp.client_secret_required" or "idp.client_secret_too_long" => "ClientSecret",
        "idp.scopes_invalid" => "Settings.Scopes",
        "idp.claims_invalid" => "Settings.EmailClaim",
        "idp.role_mapping_incomplete" or "idp.role_value_invalid" => "Settings.PartnerAdminRoleValue",
        "idp.acr_invalid" => "Settings.AcceptedAcrValues",
        "idp.reason_required" or "idp.reason_too_long" => "Reason",
        _ => null,
    };

    /// <summary>Where the partner's IdP sends users back: the portal's base address + the provider's callback path.</summary>
    public static string? RedirectUri(string? portalBaseUri, Guid providerId) =>
        Uri.TryCreate(portalBaseUri, UriKind.Absolute, out var portal) && (portal.Scheme == Uri.UriSchemeHttps || portal.Scheme == Uri.UriSchemeHttp)
            ? portal.GetLeftPart(UriPartial.Authority) + portal.AbsolutePath.TrimEnd('/') + PartnerIdentityProvider.CallbackPathFor(providerId)
            : null;
}

/// <summary>
/// Published after a provider's registration, settings or status changed and committed. Sign-in reads the
/// provider from the database each time; what this node cached about the authorities (discovery, keys) is
/// dropped so a corrected IdP is used at once.
/// </summary>
public sealed record IdentityProviderChanged(Guid ProviderId, Guid PartnerId, IReadOnlyList<string> Authorities) : INotification;

public sealed class IdentityProviderChangedHandler(IdentityProviderMetadata metadata) : INotificationHandler<IdentityProviderChanged>
{
    public ValueTask Handle(IdentityProviderChanged notification, CancellationToken cancellationToken)
    {
        foreach (var authority in notification.Authorities.Distinct(StringComparer.Ordinal))
        {
            metadata.Forget(authority);
        }

        return ValueTask.CompletedTask;
    }
}
