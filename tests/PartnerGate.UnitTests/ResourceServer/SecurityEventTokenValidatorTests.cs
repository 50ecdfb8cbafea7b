using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.ResourceServer.RevocationFeed;

namespace PartnerGate.UnitTests.ResourceServer;

/// <summary>
/// Every SET is verified before it counts: each test breaks exactly one rule of an otherwise valid SET signed by a
/// trusted key, so the rule alone is what refuses it.
/// </summary>
public sealed class SecurityEventTokenValidatorTests : IDisposable
{
    private readonly ECDsa ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsaSecurityKey trusted;

    public SecurityEventTokenValidatorTests() => trusted = new ECDsaSecurityKey(ecdsa) { KeyId = "portal-1" };

    public void Dispose() => ecdsa.Dispose();

    [Fact]
    public async Task ValidSet_IsAccepted_WithItsClaims()
    {
        var result = await ValidateAsync(TestSets.SignEs256(ecdsa, "portal-1", Payload()));

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(7, result.Payload!.Value.GetProperty("pg_seq").GetInt64());
    }

    [Fact]
    public async Task Ps256_IsAccepted()
    {
        using var rsa = RSA.Create(2048);
        var rsaKey = new RsaSecurityKey(rsa) { KeyId = "portal-rsa" };
        var token = TestSets.Sign(new { alg = "PS256", kid = "portal-rsa", typ = "secevent+jwt" }, Payload(),
            data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));

        var result = await SecurityEventTokenValidator.ValidateAsync(token, TestSets.Issuer, TestSets.Audience, [rsaKey]);

        Assert.True(result.IsValid, result.Failure);
    }

    [Fact]
    public async Task Rs256_IsRefused_EvenWithATrustedKey()
    {
        using var rsa = RSA.Create(2048);
        var rsaKey = new RsaSecurityKey(rsa) { KeyId = "portal-rsa" };
        var token = TestSets.Sign(new { alg = "RS256", kid = "portal-rsa", typ = "secevent+jwt" }, Payload(),
            data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var result = await SecurityEventTokenValidator.ValidateAsync(token, TestSets.Issuer, TestSets.Audience, [rsaKey]);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task Hs256_IsRefused_EvenWithATrustedSymmetricKey()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var token = TestSets.Sign(new { alg = "HS256", kid = "hmac", typ = "secevent+jwt" }, Payload(), data => HMACSHA256.HashData(secret, data));

        var result = await SecurityEventTokenValidator.ValidateAsync(token, TestSets.Issuer, TestSets.Audience,
            [new SymmetricSecurityKey(secret) { KeyId = "hmac" }]);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task AlgNone_IsRefused()
    {
        var token = TestSets.Sign(new { alg = "none", typ = "secevent+jwt" }, Payload(), _ => []);

        Assert.False((await ValidateAsync(token)).IsValid);
    }

    [Theory]
    [InlineData("at+jwt")]
    [InlineData("JWT")]
    public async Task AnotherType_IsRefused(string typ)
    {
        var result = await ValidateAsync(TestSets.SignEs256(ecdsa, "portal-1", Payload(), typ));

        Assert.False(result.IsValid);
        Assert.Equal(nameof(SecurityTokenInvalidTypeException), result.Failure);
    }

    [Fact]
    public async Task AnotherIssuer_IsRefused()
    {
        var payload = Payload();
        payload["iss"] = "http://127.0.0.1:5081/";

        var result = await ValidateAsync(TestSets.SignEs256(ecdsa, "portal-1", payload));

        Assert.False(result.IsValid);
        Assert.Equal(nameof(SecurityTokenInvalidIssuerException), result.Failure);
    }

    [Theory]
    [InlineData("other-api")]
    [InlineData("supply-network-api/")]
    public async Task AnotherAudience_IsRefused(string audience)
    {
        var payload = Payload();
        payload["aud"] = audience;

        var result = await ValidateAsync(TestSets.SignEs256(ecdsa, "portal-1", payload));

        Assert.False(result.IsValid);
        Assert.Equal(nameof(SecurityTokenInvalidAudienceException), result.Failure);
    }

    [Fact]
    public async Task SignedByAnotherKey_UnderTheTrustedKid_IsRefused()
    {
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await ValidateAsync(TestSets.SignEs256(foreign, "portal-1", Payload()));

        Assert.False(result.IsValid);
        Assert.False(result.UnknownKey);
    }

    [Fact]
    public async Task UnknownKid_IsRefused_AndReportedAsAnUnknownKey_SoTheKeysAreRefreshed()
    {
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await ValidateAsync(TestSets.SignEs256(foreign, "rotated-2", Payload()));

        Assert.False(result.IsValid);
        Assert.True(result.UnknownKey);
    }

    [Fact]
    public async Task TamperedPayload_IsRefused()
    {
        var token = TestSets.SignEs256(ecdsa, "portal-1", Payload());
        var parts = token.Split('.');
        var other = TestSets.SignEs256(ecdsa, "portal-1", TestSets.ClientStatus("erp", Guid.NewGuid(), 8, "active")).Split('.')[1];

        Assert.False((await ValidateAsync($"{parts[0]}.{other}.{parts[2]}")).IsValid);
    }

    private Task<SetValidationResult> ValidateAsync(string token) =>
        SecurityEventTokenValidator.ValidateAsync(token, TestSets.Issuer, TestSets.Audience, [trusted]);

    private static Dictionary<string, object> Payload() => TestSets.ClientStatus("erp", Guid.NewGuid(), 7, "disabled");
}
