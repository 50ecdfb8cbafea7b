using PartnerGate.Domain.Common;

namespace PartnerGate.Domain.Partners;

public enum IdentityProviderStatus
{
    Enabled,

    /// <summary>Nobody of the partner signs in (the domain is not handed back to local passwords: deny by default).</summary>
    Disabled,
}

/// <summary>
/// Which claims of the partner's ID token PartnerGate reads. The defaults are the OpenID Connect standard
/// claims; Entra ID, Okta and Keycloak differ only in the role claim (<c>roles</c>, <c>groups</c>, <c>realm_access</c>…).
/// </summary>
public sealed record IdentityProviderClaimMapping(string EmailClaim, string NameClaim, string? RoleClaim, string? PartnerAdminRoleValue)
{
    public static IdentityProviderClaimMapping Default { get; } = new("email", "name", null, null);
}

/// <summary>
/// When a sign-in counts as multi-factor: <c>amr</c> contains <c>mfa</c>, <c>otp</c> or <c>hwk</c> (RFC 8176), or
/// <c>acr</c> is one of <see cref="AcceptedAcrValues"/>.
/// </summary>
public sealed record IdentityProviderMfaRequirement(bool Required, IReadOnlyList<string> AcceptedAcrValues)
{
    /// <summary>The RFC 8176 <c>amr</c> values that prove a second factor.</summary>
    public static IReadOnlyList<string> MultiFactorAmrValues { get; } = ["mfa", "otp", "hwk"];

    public static IdentityProviderMfaRequirement None { get; } = new(false, []);

    public bool IsSatisfiedBy(IEnumerable<string> amrValues, string? acr) =>
        amrValues.Any(a => MultiFactorAmrValues.Contains(a, StringComparer.Ordinal)) ||
        (acr is { Length: > 0 } && AcceptedAcrValues.Contains(acr, StringComparer.Ordinal));
}

/// <summary>
/// A partner's own OpenID Connect identity provider, registered at run time by an administrator. Users of
/// the partner's verified domains sign in there (home-realm discovery); their first sign-in creates their
/// PartnerGate account (just-in-time provisioning). Its workloads may trade tokens it issued for
/// PartnerGate tokens (RFC 8693 token exchange). One provider per partner.
/// </summary>
public sealed class PartnerIdentityProvider
{
    public const int MaximumScopes = 20;

    private PartnerIdentityProvider()
    {
        DisplayName = string.Empty;
        Authority = string.Empty;
        ClientId = string.Empty;
        ProtectedClientSecret = string.Empty;
        Scopes = [];
        ClaimMapping = IdentityProviderClaimMapping.Default;
        Mfa = IdentityProviderMfaRequirement.None;
    }

    public Guid Id { get; private set; }
    public Guid PartnerId { get; private set; }

    /// <summary>Shown on the sign-in page: "Continue with {DisplayName}".</summary>
    public string DisplayName { get; private set; }

    /// <summary>The issuer URL; discovery is read from <c>{Authority}/.well-known/openid-configuration</c> and its <c>issuer</c> must equal it.</summary>
    public string Authority { get; private set; }

    /// <summary>Where the discovery document is (OpenID Connect Discovery 1.0 §4).</summary>
    public string DiscoveryAddress => Authority.TrimEnd('/') + "/.well-known/openid-configuration";
    public string ClientId { get; private set; }

    /// <summary>The client secret, protected by Data Protection before it reaches the domain; never shown again.</summary>
    public string ProtectedClientSecret { get; private set; }
    public List<string> Scopes { get; private set; }
    public IdentityProviderClaimMapping ClaimMapping { get; private set; }
    public IdentityProviderMfaRequirement Mfa { get; private set; }
    public IdentityProviderStatus Status { get; private set; }
    public string? DisabledReason { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Changes on every edit: optimistic concurrency, and the signal for every node to reload the provider's settings.</summary>
    public Guid Version { get; private set; }

    public bool IsEnabled => Status == IdentityProviderStatus.Enabled;

    /// <summary>The scheme name of this provider's OpenID Connect handler and its callback path segment.</summary>
    public string SchemeName => SchemeNameFor(Id);

    public static string SchemeNameFor(Guid providerId) => $"partner-idp-{providerId:N}";

    /// <summary>
    /// Where the provider sends the user back (the redirect URI the partner registers at its IdP, prefixed with
    /// the portal's origin). One path per provider: each provider has its own handler and state.
    /// </summary>
    public string CallbackPath => CallbackPathFor(Id);

    public const string CallbackPathPrefix = "/signin-partner/";

    public static string CallbackPathFor(Guid providerId) => $"{CallbackPathPrefix}{providerId:N}";

    public static Result<PartnerIdentityProvider> Register(
        Partner partner, string displayName, string authority, string clientId, string protectedClientSecret,
        IEnumerable<string> scopes, IdentityProviderClaimMapping claimMapping, IdentityProviderMfaRequirement mfa, DateTimeOffset now,
        Guid? id = null)
    {
        if (partner.Status != PartnerStatus.Active)
        {
            // A suspended partner signs in nowhere; registering its provider would only prepare a way around that.
            return Error.PolicyRefused("idp.partner_suspended",
                $"{partner.Name} is suspended. Reinstate the partner before registering its identity provider.");
        }

        var provider = new PartnerIdentityProvider
        {
            Id = id ?? Guid.NewGuid(),
            PartnerId = partner.Id,
            Status = IdentityProviderStatus.Enabled,
            CreatedAt = Clock.Normalize(now),
        };
        var updated = provider.Update(displayName, authority, clientId, protectedClientSecret, scopes, claimMapping, mfa, now);
        return updated.IsSuccess ? provider : updated.Error!;
    }

    /// <summary>
    /// Replaces the settings. <paramref name="protectedClientSecret"/> null keeps the stored secret (the form
    /// never shows it, so an empty field means "unchanged"). Nothing changes unless every setting is valid.
    /// </summary>
    public Result Update(
        string displayName, string authority, string clientId, string? protectedClientSecret,
        IEnumerable<string> scopes, IdentityProviderClaimMapping claimMapping, IdentityProviderMfaRequirement mfa, DateTimeOffset now)
    {
        var scopeList = NormalizeScopes(scopes);
        var mapping = NormalizeClaimMapping(claimMapping);
        var acrValues = NormalizeAcrValues(mfa.AcceptedAcrValues);
        var problem = CheckDisplayName(displayName)
            ?? CheckAuthority(authority)
            ?? CheckClientId(clientId)
            ?? CheckProtectedClientSecret(protectedClientSecret, hasStoredSecret: ProtectedClientSecret.Length > 0)
            ?? CheckScopes(scopeList)
            ?? CheckClaimMapping(mapping)
            ?? CheckAcrValues(acrValues);
        if (problem is not null)
        {
            return problem;
        }

        DisplayName = displayName.Trim();
        Authority = NormalizeAuthority(authority)!;
        ClientId = clientId.Trim();
        if (protectedClientSecret is not null)
        {
            ProtectedClientSecret = protectedClientSecret;
        }

        Scopes = scopeList;
        ClaimMapping = mapping;
        Mfa = new IdentityProviderMfaRequirement(mfa.Required, acrValues);
        UpdatedAt = Clock.Normalize(now);
        Version = Guid.NewGuid();
        return Result.Success();
    }

    public const int MaximumDisplayNameLength = 100;
    public const int MaximumAuthorityLength = 500;
    public const int MaximumClientIdLength = 200;
    public const int MaximumProtectedClientSecretLength = 4000;
    public const int MaximumClaimNameLength = 100;
    public const int MaximumRoleValueLength = 200;
    public const int MaximumAcrValues = 20;
    public const int MaximumReasonLength = 1000;

    /// <summary>The first problem with a display name, or null. The rules below are public so forms can say the same before sending.</summary>
    public static Error? CheckDisplayName(string? displayName) =>
        string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > MaximumDisplayNameLength
            ? Error.Validation("idp.name_invalid", $"Give the provider a name of at most {MaximumDisplayNameLength} characters, e.g. \"BoltNut Entra ID\".")
            : null;

    public static Error? CheckAuthority(string? authority) =>
        NormalizeAuthority(authority) is null
            ? Error.Validation("idp.authority_invalid",
                "The issuer must be an absolute https URL without query or fragment (http only on localhost), e.g. https://login.microsoftonline.com/{tenant}/v2.0.")
            : null;

    public static Error? CheckClientId(string? clientId) =>
        string.IsNullOrWhiteSpace(clientId) || clientId.Trim().Length > MaximumClientIdLength
            ? Error.Validation("idp.client_id_invalid", $"Enter the client id PartnerGate was registered with at the provider (at most {MaximumClientIdLength} characters).")
            : null;

    /// <summary>A new protected secret (null: keep the stored one, which must then exist).</summary>
    public static Error? CheckProtectedClientSecret(string? protectedClientSecret, bool hasStoredSecret) =>
        (protectedClientSecret is null && !hasStoredSecret) || protectedClientSecret is { Length: 0 }
            ? Error.Validation("idp.client_secret_required", "Enter the client secret the provider issued for PartnerGate.")
            : protectedClientSecret is { Length: > MaximumProtectedClientSecretLength }
                ? Error.Validation("idp.client_secret_too_long", "That client secret is too long; provider secrets are at most a few hundred characters.")
                : null;

    public static Error? CheckScopes(IReadOnlyCollection<string> normalizedScopes) =>
        normalizedScopes.Count > MaximumScopes || normalizedScopes.Any(s => s.Length > 200 || s.Any(c => c <= ' ' || c == '"' || c == '\\'))
            ? Error.Validation("idp.scopes_invalid", $"At most {MaximumScopes} scopes, each a word without spaces or quotes.")
            : null;

    public static Error? CheckClaimMapping(IdentityProviderClaimMapping mapping)
    {
        if (!IsClaimName(mapping.EmailClaim) || !IsClaimName(mapping.NameClaim) || (mapping.RoleClaim is not null && !IsClaimName(mapping.RoleClaim)))
        {
            return Error.Validation("idp.claims_invalid", $"Claim names are 1–{MaximumClaimNameLength} characters without spaces, e.g. email, name, roles.");
        }

        if ((mapping.RoleClaim is null) != (mapping.PartnerAdminRoleValue is null))
        {
            return Error.Validation("idp.role_mapping_incomplete",
                "Name both the role claim and the value that makes a partner admin, or neither (everyone is then a partner user).");
        }

        return mapping.PartnerAdminRoleValue is { Length: > MaximumRoleValueLength }
            ? Error.Validation("idp.role_value_invalid", $"The partner admin value is at most {MaximumRoleValueLength} characters.")
            : null;
    }

    public static Error? CheckAcrValues(IReadOnlyCollection<string> normalizedAcrValues) =>
        normalizedAcrValues.Count > MaximumAcrValues || normalizedAcrValues.Any(a => a.Length is 0 or > 200)
            ? Error.Validation("idp.acr_invalid", $"At most {MaximumAcrValues} accepted acr values, each 1–200 characters.")
            : null;

    public static Error? CheckReason(string? reason) =>
        string.IsNullOrWhiteSpace(reason)
            ? Error.Validation("idp.reason_required", "Say why the provider is disabled; it is written to the audit trail.")
            : reason.Trim().Length > MaximumReasonLength
                ? Error.Validation("idp.reason_too_long", $"The reason can be at most {MaximumReasonLength:N0} characters.")
                : null;

    /// <summary>Scopes as the provider receives them: split on spaces, without duplicates, <c>openid</c> first (OpenID Connect requires it).</summary>
    public static List<string> NormalizeScopes(IEnumerable<string> scopes)
    {
        var list = scopes.SelectMany(s => (s ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal).ToList();
        list.Remove("openid");
        list.Insert(0, "openid");
        return list;
    }

    /// <summary>Trims the names; an empty role claim or admin value means "not mapped" (forms send empty strings).</summary>
    public static IdentityProviderClaimMapping NormalizeClaimMapping(IdentityProviderClaimMapping mapping)
    {
        var roleClaim = string.IsNullOrWhiteSpace(mapping.RoleClaim) ? null : mapping.RoleClaim.Trim();
        var adminValue = string.IsNullOrWhiteSpace(mapping.PartnerAdminRoleValue) ? null : mapping.PartnerAdminRoleValue.Trim();
        return new IdentityProviderClaimMapping((mapping.EmailClaim ?? string.Empty).Trim(), (mapping.NameClaim ?? string.Empty).Trim(), roleClaim, adminValue);
    }

    public static List<string> NormalizeAcrValues(IEnumerable<string> acrValues) =>
        acrValues.Select(a => (a ?? string.Empty).Trim()).Distinct(StringComparer.Ordinal).ToList();

    public Result Disable(string reason, DateTimeOffset now)
    {
        if (CheckReason(reason) is { } problem)
        {
            return problem;
        }

        if (Status == IdentityProviderStatus.Disabled)
        {
            return Error.Conflict("idp.already_disabled", "This provider is already disabled.");
        }

        Status = IdentityProviderStatus.Disabled;
        DisabledReason = reason.Trim();
        UpdatedAt = Clock.Normalize(now);
        Version = Guid.NewGuid();
        return Result.Success();
    }

    public Result Enable(DateTimeOffset now)
    {
        if (Status == IdentityProviderStatus.Enabled)
        {
            return Error.Conflict("idp.already_enabled", "This provider is already enabled.");
        }

        Status = IdentityProviderStatus.Enabled;
        DisabledReason = null;
        UpdatedAt = Clock.Normalize(now);
        Version = Guid.NewGuid();
        return Result.Success();
    }

    /// <summary>The role a federated user gets from the claims of one sign-in.</summary>
    public string RoleFor(IEnumerable<string> roleClaimValues) =>
        ClaimMapping.PartnerAdminRoleValue is { } adminValue && roleClaimValues.Contains(adminValue, StringComparer.Ordinal)
            ? Roles.PartnerAdmin
            : Roles.PartnerUser;

    /// <summary>
    /// An issuer URL: absolute, https (http only on a loopback host, for development and the bundled test
    /// provider), no query, fragment or user info. Kept as entered, trailing slash included: the ID token's
    /// <c>iss</c> is compared with it character for character (Auth0's ends in a slash, Entra's does not).
    /// </summary>
    public static string? NormalizeAuthority(string? authority)
    {
        if (string.IsNullOrWhiteSpace(authority) || authority.Trim().Length > MaximumAuthorityLength ||
            !Uri.TryCreate(authority.Trim(), UriKind.Absolute, out var uri))
        {
            return null;
        }

        var loopback = uri.IsLoopback;
        if (!(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && loopback)) ||
            !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return null;
        }

        return authority.Trim();
    }

    private static bool IsClaimName(string? name) =>
        name is { Length: > 0 and <= MaximumClaimNameLength } && !name.Any(char.IsWhiteSpace);
}
