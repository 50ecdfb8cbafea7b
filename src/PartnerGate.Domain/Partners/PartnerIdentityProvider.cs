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
    /// never shows it, so an empty field means "unchanged").
    /// </summary>
    public Result Update(
        string displayName, string authority, string clientId, string? protectedClientSecret,
        IEnumerable<string> scopes, IdentityProviderClaimMapping claimMapping, IdentityProviderMfaRequirement mfa, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > 100)
        {
            return Error.Validation("idp.name_invalid", "Give the provider a name of at most 100 characters, e.g. \"BoltNut Entra ID\".");
        }

        var normalizedAuthority = NormalizeAuthority(authority);
        if (normalizedAuthority is null)
        {
            return Error.Validation("idp.authority_invalid",
                "The issuer must be an absolute https URL without query or fragment (http only on localhost), e.g. https://login.microsoftonline.com/{tenant}/v2.0.");
        }

        if (string.IsNullOrWhiteSpace(clientId) || clientId.Trim().Length > 200)
        {
            return Error.Validation("idp.client_id_invalid", "Enter the client id PartnerGate was registered with at the provider (at most 200 characters).");
        }

        if (protectedClientSecret is not null && protectedClientSecret.Length == 0)
        {
            return Error.Validation("idp.client_secret_required", "Enter the client secret the provider issued for PartnerGate.");
        }

        if (protectedClientSecret is null && ProtectedClientSecret.Length == 0)
        {
            return Error.Validation("idp.client_secret_required", "Enter the client secret the provider issued for PartnerGate.");
        }

        var scopeList = scopes.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal).ToList();
        if (!scopeList.Contains("openid", StringComparer.Ordinal))
        {
            scopeList.Insert(0, "openid");
        }

        if (scopeList.Count > MaximumScopes || scopeList.Any(s => s.Length > 200 || s.Any(c => c <= ' ' || c == '"' || c == '\\')))
        {
            return Error.Validation("idp.scopes_invalid", $"At most {MaximumScopes} scopes, each a word without spaces or quotes.");
        }

        if (!IsClaimName(claimMapping.EmailClaim) || !IsClaimName(claimMapping.NameClaim) ||
            (claimMapping.RoleClaim is not null && !IsClaimName(claimMapping.RoleClaim)))
        {
            return Error.Validation("idp.claims_invalid", "Claim names are 1–100 characters without spaces, e.g. email, name, roles.");
        }

        if ((claimMapping.RoleClaim is null) != string.IsNullOrWhiteSpace(claimMapping.PartnerAdminRoleValue))
        {
            return Error.Validation("idp.role_mapping_incomplete",
                "Name both the role claim and the value that makes a partner admin, or neither (everyone is then a partner user).");
        }

        if (mfa.AcceptedAcrValues.Any(a => string.IsNullOrWhiteSpace(a) || a.Length > 200))
        {
            return Error.Validation("idp.acr_invalid", "Each accepted acr value is 1–200 characters.");
        }

        DisplayName = displayName.Trim();
        Authority = normalizedAuthority;
        ClientId = clientId.Trim();
        if (protectedClientSecret is not null)
        {
            ProtectedClientSecret = protectedClientSecret;
        }

        Scopes = scopeList;
        ClaimMapping = claimMapping with
        {
            EmailClaim = claimMapping.EmailClaim.Trim(),
            NameClaim = claimMapping.NameClaim.Trim(),
            RoleClaim = claimMapping.RoleClaim?.Trim(),
            PartnerAdminRoleValue = claimMapping.RoleClaim is null ? null : claimMapping.PartnerAdminRoleValue?.Trim(),
        };
        Mfa = mfa with { AcceptedAcrValues = mfa.AcceptedAcrValues.Select(a => a.Trim()).Distinct(StringComparer.Ordinal).ToList() };
        UpdatedAt = Clock.Normalize(now);
        Version = Guid.NewGuid();
        return Result.Success();
    }

    public Result Disable(string reason, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Error.Validation("idp.reason_required", "Say why the provider is disabled; it is written to the audit trail.");
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
        if (string.IsNullOrWhiteSpace(authority) || authority.Trim().Length > 500 ||
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
        name is { Length: > 0 } && name.Trim().Length is > 0 and <= 100 && !name.Trim().Any(char.IsWhiteSpace);
}
