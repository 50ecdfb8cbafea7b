using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using static PartnerGate.UnitTests.Domain.DomainFixtures;

namespace PartnerGate.UnitTests.Domain.Partners;

public sealed class PartnerIdentityProviderTests
{
    private static readonly IdentityProviderClaimMapping AdminsByGroup = new("email", "name", "groups", "partnergate-admins");

    private static Result<PartnerIdentityProvider> Register(Partner? partner = null, string authority = "https://login.boltnut.example/tenant/v2.0",
        string secret = "protected-secret", IEnumerable<string>? scopes = null, IdentityProviderClaimMapping? mapping = null,
        IdentityProviderMfaRequirement? mfa = null, string name = "BoltNut Entra ID") =>
        PartnerIdentityProvider.Register(partner ?? BoltNut(), name, authority, "partnergate", secret, scopes ?? ["profile email"],
            mapping ?? AdminsByGroup, mfa ?? IdentityProviderMfaRequirement.None, Now);

    private static PartnerIdentityProvider Registered() => Register().Value;

    [Fact]
    public void Register_KeepsTheIssuerAsEntered_PutsOpenidFirst_AndDerivesSchemeAndCallbackFromTheId()
    {
        var provider = Register(authority: " https://idp.example/tenant/ ", scopes: ["profile email", "email", "openid"]).Value;

        Assert.Equal("https://idp.example/tenant/", provider.Authority);
        Assert.Equal("https://idp.example/tenant/.well-known/openid-configuration", provider.DiscoveryAddress);
        Assert.Equal(["openid", "profile", "email"], provider.Scopes);
        Assert.Equal(IdentityProviderStatus.Enabled, provider.Status);
        Assert.Equal($"partner-idp-{provider.Id:N}", provider.SchemeName);
        Assert.Equal($"/signin-partner/{provider.Id:N}", provider.CallbackPath);
        Assert.NotEqual(Guid.Empty, provider.Version);
    }

    [Fact]
    public void Register_ForASuspendedPartner_IsRefused()
    {
        var partner = BoltNut();
        partner.Suspend("Audit finding.");

        var registered = Register(partner);

        Assert.Equal(ErrorKind.PolicyRefused, registered.Error!.Kind);
        Assert.Equal("idp.partner_suspended", registered.Error.Code);
    }

    [Theory]
    [InlineData("http://idp.example/tenant", false)]
    [InlineData("https://idp.example/tenant?x=1", false)]
    [InlineData("https://idp.example/tenant#f", false)]
    [InlineData("https://user:pw@idp.example/", false)]
    [InlineData("ftp://idp.example/", false)]
    [InlineData("idp.example", false)]
    [InlineData("", false)]
    [InlineData("http://localhost:4600", true)]
    [InlineData("http://127.0.0.1:4600", true)]
    [InlineData("http://[::1]:4600", true)]
    [InlineData("https://login.microsoftonline.com/4a1b/v2.0", true)]
    public void Authority_MustBeHttpsExceptOnLoopback_WithoutQueryFragmentOrUserInfo(string authority, bool accepted)
    {
        Assert.Equal(accepted, PartnerIdentityProvider.NormalizeAuthority(authority) is not null);
        Assert.Equal(accepted, Register(authority: authority).IsSuccess);
    }

    [Theory]
    [InlineData("name", "idp.name_invalid")]
    [InlineData("client-id", "idp.client_id_invalid")]
    [InlineData("secret", "idp.client_secret_required")]
    [InlineData("long-secret", "idp.client_secret_too_long")]
    [InlineData("scope-quote", "idp.scopes_invalid")]
    [InlineData("too-many-scopes", "idp.scopes_invalid")]
    [InlineData("claim-space", "idp.claims_invalid")]
    [InlineData("role-without-value", "idp.role_mapping_incomplete")]
    [InlineData("value-without-role", "idp.role_mapping_incomplete")]
    [InlineData("long-role-value", "idp.role_value_invalid")]
    [InlineData("too-many-acr", "idp.acr_invalid")]
    public void Update_InvalidSetting_IsRefusedWithItsCode_AndChangesNothing(string scenario, string code)
    {
        var provider = Registered();
        var (name, clientId, secret, scopes, mapping, acr) = ("Renamed", "other-client", (string?)"new-protected", new[] { "profile" }, AdminsByGroup, new List<string>());
        switch (scenario)
        {
            case "name": name = new string('x', 101); break;
            case "client-id": clientId = " "; break;
            case "secret": secret = ""; break;
            case "long-secret": secret = new string('s', PartnerIdentityProvider.MaximumProtectedClientSecretLength + 1); break;
            case "scope-quote": scopes = ["pro\"file"]; break;
            case "too-many-scopes": scopes = Enumerable.Range(0, 20).Select(i => $"s{i}").ToArray(); break;
            case "claim-space": mapping = mapping with { EmailClaim = "e mail" }; break;
            case "role-without-value": mapping = mapping with { PartnerAdminRoleValue = " " }; break;
            case "value-without-role": mapping = mapping with { RoleClaim = null }; break;
            case "long-role-value": mapping = mapping with { PartnerAdminRoleValue = new string('v', 201) }; break;
            case "too-many-acr": acr = Enumerable.Range(0, 21).Select(i => $"acr{i}").ToList(); break;
        }

        var before = (provider.DisplayName, provider.ClientId, provider.ProtectedClientSecret, provider.Version, provider.Scopes.Count);

        var updated = provider.Update(name, "https://idp.example/", clientId, secret, scopes, mapping, new IdentityProviderMfaRequirement(true, acr), Now.AddHours(1));

        Assert.Equal(code, updated.Error!.Code);
        Assert.Equal(before, (provider.DisplayName, provider.ClientId, provider.ProtectedClientSecret, provider.Version, provider.Scopes.Count));
        Assert.Equal("https://login.boltnut.example/tenant/v2.0", provider.Authority);
    }

    [Fact]
    public void Update_NullSecretKeepsTheStoredOne_AndEveryEditChangesTheVersion()
    {
        var provider = Registered();
        var version = provider.Version;

        var updated = provider.Update("Renamed", "https://idp.example/", "other", null, ["email"], IdentityProviderClaimMapping.Default, IdentityProviderMfaRequirement.None, Now.AddHours(1));

        Assert.True(updated.IsSuccess);
        Assert.Equal("protected-secret", provider.ProtectedClientSecret);
        Assert.NotEqual(version, provider.Version);
        Assert.Equal(Now.AddHours(1), provider.UpdatedAt);
    }

    [Fact]
    public void Update_EmptyRoleClaimAndValue_MeanNotMapped_AndEveryoneIsAPartnerUser()
    {
        var provider = Registered();

        provider.Update("BoltNut", "https://idp.example/", "c", null, [], new IdentityProviderClaimMapping(" email ", "name", "  ", ""), IdentityProviderMfaRequirement.None, Now);

        Assert.Equal(new IdentityProviderClaimMapping("email", "name", null, null), provider.ClaimMapping);
        Assert.Equal(Roles.PartnerUser, provider.RoleFor(["partnergate-admins"]));
    }

    [Fact]
    public void RoleFor_TheMappedValueMakesAPartnerAdmin_ComparedExactly()
    {
        var provider = Registered();

        Assert.Equal(Roles.PartnerAdmin, provider.RoleFor(["staff", "partnergate-admins"]));
        Assert.Equal(Roles.PartnerUser, provider.RoleFor(["PartnerGate-Admins"]));
        Assert.Equal(Roles.PartnerUser, provider.RoleFor([]));
    }

    [Theory]
    [InlineData(new[] { "pwd", "otp" }, null, true)]
    [InlineData(new[] { "hwk" }, null, true)]
    [InlineData(new[] { "mfa" }, null, true)]
    [InlineData(new[] { "pwd" }, null, false)]
    [InlineData(new[] { "pwd" }, "urn:example:mfa", true)]
    [InlineData(new[] { "pwd" }, "urn:example:pwd", false)]
    [InlineData(new string[0], "", false)]
    public void Mfa_IsAmrWithASecondFactor_OrAnAcceptedAcr(string[] amr, string? acr, bool satisfied)
    {
        var provider = Register(mfa: new IdentityProviderMfaRequirement(true, [" urn:example:mfa ", "urn:example:mfa"])).Value;

        Assert.Equal(["urn:example:mfa"], provider.Mfa.AcceptedAcrValues);
        Assert.Equal(satisfied, provider.Mfa.IsSatisfiedBy(amr, acr));
    }

    [Fact]
    public void Disable_NeedsAReasonOfAtMost1000Characters_ThenEnableClearsIt()
    {
        var provider = Registered();
        var version = provider.Version;

        Assert.Equal("idp.reason_required", provider.Disable(" ", Now).Error!.Code);
        Assert.Equal("idp.reason_too_long", provider.Disable(new string('r', 1001), Now).Error!.Code);
        Assert.Equal(version, provider.Version);

        Assert.True(provider.Disable(" Tenant compromised. ", Now).IsSuccess);
        Assert.Equal((IdentityProviderStatus.Disabled, "Tenant compromised."), (provider.Status, provider.DisabledReason));
        Assert.False(provider.IsEnabled);
        Assert.Equal("idp.already_disabled", provider.Disable("Again.", Now).Error!.Code);
        Assert.NotEqual(version, provider.Version);

        Assert.True(provider.Enable(Now).IsSuccess);
        Assert.Equal((IdentityProviderStatus.Enabled, (string?)null), (provider.Status, provider.DisabledReason));
        Assert.Equal("idp.already_enabled", provider.Enable(Now).Error!.Code);
    }
}
