using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.EndToEndTests.Infrastructure;

/// <summary>
/// A portal of its own whose demo seed registers BoltNut's identity provider (Demo:BoltNutIdentityProvider),
/// pointing at a node IdP process started here. Separate from the shared <see cref="PortalFixture"/>: there
/// BoltNut's people sign in with passwords, which a federated BoltNut no longer allows.
/// </summary>
public sealed class FederatedPortalFixture : PortalFixture
{
    public const string IdpUser = "dana";
    public const string IdpPassword = "dana-idp-password";
    public const string Email = "dana.fischer@boltnut.example";
    public const string DisplayName = "Dana Fischer";

    public TestIdentityProvider Idp { get; private set; } = null!;

    protected override async ValueTask<IReadOnlyDictionary<string, string?>> PrepareAsync(int port)
    {
        Idp = await TestIdentityProvider.StartAsync(
            [TestIdpClient.RelyingParty("partnergate", "boltnut-idp-demo-secret", $"http://127.0.0.1:{port}/signin-partner/")],
            [new TestIdpAccount(IdpUser, IdpPassword,
                new Dictionary<string, object> { ["email"] = Email, ["name"] = DisplayName, ["groups"] = new[] { "boltnut-staff", "partnergate-admins" } },
                ["pwd", "otp"])]);

        return new Dictionary<string, string?>
        {
            ["Demo:BoltNutIdentityProvider:Authority"] = Idp.Issuer,
            ["Demo:BoltNutIdentityProvider:ClientId"] = "partnergate",
            ["Demo:BoltNutIdentityProvider:ClientSecret"] = "boltnut-idp-demo-secret",
            ["Demo:BoltNutIdentityProvider:Scopes"] = "openid profile email groups",
            ["Demo:BoltNutIdentityProvider:RoleClaim"] = "groups",
            ["Demo:BoltNutIdentityProvider:PartnerAdminRoleValue"] = "partnergate-admins",
            ["Demo:BoltNutIdentityProvider:RequireMfa"] = "true",
        };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Idp is not null)
        {
            await Idp.DisposeAsync();
        }
    }
}
