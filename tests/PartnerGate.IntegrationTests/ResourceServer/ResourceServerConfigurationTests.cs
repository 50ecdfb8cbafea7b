using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.ResourceServer;

namespace PartnerGate.IntegrationTests.ResourceServer;

/// <summary>
/// The validation rules the library configures, checked with keys the test controls, so a rule (token type,
/// algorithm) is tested alone: a trusted key signing a token that breaks only that rule must still be refused.
/// </summary>
public sealed class ResourceServerConfigurationTests
{
    private const string Issuer = "https://partnergate.example/";
    private const string Audience = "https://supply.acme.example/purchase-orders";

    [Theory]
    [InlineData("at+jwt", true)]
    [InlineData("application/at+jwt", true)]
    [InlineData("JWT", false)]
    [InlineData(null, false)]
    public async Task OnlyAccessTokenTypesAreAccepted(string? type, bool accepted)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = "k1" };

        var result = await ValidateAsync(Token(new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256), type), key);

        Assert.Equal(accepted, result.IsValid);
        if (!accepted)
        {
            Assert.IsType<SecurityTokenInvalidTypeException>(result.Exception);
        }
    }

    [Fact]
    public async Task Ps256IsAccepted_Rs256AndHs256AreRefused_EvenWithATrustedKey()
    {
        using var rsa = RSA.Create(2048);
        var rsaKey = new RsaSecurityKey(rsa) { KeyId = "rsa" };
        var symmetric = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "hmac" };

        var rs256Token = Token(new SigningCredentials(rsaKey, SecurityAlgorithms.RsaSha256));
        var hs256Token = Token(new SigningCredentials(symmetric, SecurityAlgorithms.HmacSha256));

        var ps256 = await ValidateAsync(Token(new SigningCredentials(rsaKey, SecurityAlgorithms.RsaSsaPssSha256)), rsaKey);
        var rs256 = await ValidateAsync(rs256Token, rsaKey);
        var hs256 = await ValidateAsync(hs256Token, symmetric);

        Assert.True(ps256.IsValid, ps256.Exception?.Message);
        Assert.False(rs256.IsValid);
        Assert.False(hs256.IsValid);

        // Control: the same tokens and keys pass once any algorithm is allowed, so the algorithm list alone refused them.
        Assert.True((await ValidateAsync(rs256Token, rsaKey, anyAlgorithm: true)).IsValid);
        Assert.True((await ValidateAsync(hs256Token, symmetric, anyAlgorithm: true)).IsValid);
    }

    [Fact]
    public async Task TokenWithoutExp_IsRefused()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = "k1" };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
            Subject = new ClaimsIdentity([new Claim("sub", "client")]),
        });

        var result = await ValidateAsync(token, key);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task AudienceMustMatchExactly()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = "k1" };

        var trailingSlash = await ValidateAsync(Token(new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256), audience: Audience + "/"), key);

        Assert.False(trailingSlash.IsValid);
        Assert.IsType<SecurityTokenInvalidAudienceException>(trailingSlash.Exception);
    }

    [Fact]
    public void JwtBearer_IsConfiguredForThePortal()
    {
        var options = JwtBearer("http://127.0.0.1:5080/", o => o.ClockSkew = TimeSpan.FromSeconds(10));

        Assert.Equal("http://127.0.0.1:5080/.well-known/openid-configuration", options.MetadataAddress);
        Assert.False(options.RequireHttpsMetadata);
        Assert.False(options.MapInboundClaims);
        Assert.Equal(TimeSpan.FromSeconds(10), options.TokenValidationParameters.ClockSkew);
        Assert.Null(options.TokenValidationParameters.ValidIssuer);
        Assert.True(options.TokenValidationParameters.ValidateIssuer);
        Assert.True(JwtBearer("https://partnergate.example").RequireHttpsMetadata);
    }

    [Theory]
    [InlineData("https://partnergate.example", 31, "Clock skew")]
    [InlineData("https://partnergate.example", -1, "Clock skew")]
    [InlineData("http://partnergate.example", 30, "must use https")]
    [InlineData("partnergate.example", 30, "not an absolute")]
    public async Task InvalidSettings_StopTheHostAtStartUp(string authority, int skewSeconds, string message)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.AddPartnerGateResourceServer(authority, Audience, o =>
        {
            WithCredentials(o);
            o.ClockSkew = TimeSpan.FromSeconds(skewSeconds);
        });
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Single(error.Failures);
    }

    [Fact]
    public async Task FeedWithoutCredentials_StopsTheHostAtStartUp_NamingWhatIsMissing()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.AddPartnerGateResourceServer("https://partnergate.example", Audience);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("The revocation feed needs ClientId", error.Message, StringComparison.Ordinal);
        Assert.Contains("The revocation feed needs ClientSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Caller_IsReadFromTheClaims()
    {
        var partnerId = Guid.NewGuid();
        var grantId = Guid.NewGuid();

        var caller = Principal(("partner_id", partnerId.ToString()), ("grant_id", grantId.ToString()), ("client_id", "erp"), ("sub", "erp"),
            ("scope", "orders.read orders.acknowledge")).GetPartnerGateCaller();

        Assert.NotNull(caller);
        Assert.Equal(partnerId, caller.PartnerId);
        Assert.Equal(grantId, caller.GrantId);
        Assert.Equal("erp", caller.ClientId);
        Assert.Equal("erp", caller.Subject);
        Assert.True(caller.Scopes.SetEquals(["orders.read", "orders.acknowledge"]));
    }

    public static TheoryData<string, string?> BrokenCallerClaims => new()
    {
        { "partner_id", null },
        { "grant_id", null },
        { "partner_id", "boltnut" },
        { "grant_id", "42" },
        { "partner_id", Guid.Empty.ToString() },
        { "client_id", null },
        { "sub", null },
    };

    [Theory]
    [MemberData(nameof(BrokenCallerClaims))]
    public void Caller_IsNull_WhenAClaimIsMissingOrMalformed(string claim, string? value)
    {
        var claims = new Dictionary<string, string>
        {
            ["partner_id"] = Guid.NewGuid().ToString(),
            ["grant_id"] = Guid.NewGuid().ToString(),
            ["client_id"] = "erp",
            ["sub"] = "erp",
        };
        if (value is null)
        {
            claims.Remove(claim);
        }
        else
        {
            claims[claim] = value;
        }

        Assert.Null(Principal([.. claims.Select(c => (c.Key, c.Value))]).GetPartnerGateCaller());
    }

    [Fact]
    public void Caller_IsNull_ForTwoPartnerClaims_OrAnUnauthenticatedPrincipal()
    {
        var twoPartners = Principal(("partner_id", Guid.NewGuid().ToString()), ("partner_id", Guid.NewGuid().ToString()),
            ("grant_id", Guid.NewGuid().ToString()), ("client_id", "erp"), ("sub", "erp"));
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim("partner_id", Guid.NewGuid().ToString()),
            new Claim("grant_id", Guid.NewGuid().ToString()), new Claim("client_id", "erp"), new Claim("sub", "erp")]));

        Assert.Null(twoPartners.GetPartnerGateCaller());
        Assert.Null(anonymous.GetPartnerGateCaller());
    }

    private static void WithCredentials(PartnerGateResourceServerOptions options)
    {
        options.ClientId = "supply-network-api";
        options.ClientSecret = "supply-network-api-demo-secret";
    }

    private static ClaimsPrincipal Principal(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "PartnerGate"));

    private static JwtBearerOptions JwtBearer(string authority, Action<PartnerGateResourceServerOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPartnerGateResourceServer(authority, Audience, o =>
        {
            WithCredentials(o);
            configure?.Invoke(o);
        });
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(PartnerGateResourceServerDefaults.AuthenticationScheme);
    }

    // The library's parameters with the test's key and issuer in place of those discovery would supply.
    private static async Task<TokenValidationResult> ValidateAsync(string token, SecurityKey trusted, bool anyAlgorithm = false)
    {
        var parameters = JwtBearer(Issuer).TokenValidationParameters.Clone();
        parameters.ValidIssuer = Issuer;
        parameters.IssuerSigningKeys = [trusted];
        if (anyAlgorithm)
        {
            parameters.ValidAlgorithms = null;
        }

        return await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
    }

    private static string Token(SigningCredentials credentials, string? type = "at+jwt", string audience = Audience)
    {
        var handler = new JsonWebTokenHandler();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = credentials,
            Subject = new ClaimsIdentity([new Claim("sub", "client"), new Claim("scope", "orders.read")]),
        };
        if (type is null)
        {
            // The handler writes typ "JWT" unless told otherwise; a header without typ must be refused too.
            descriptor.AdditionalHeaderClaims = new Dictionary<string, object> { ["typ"] = string.Empty };
        }
        else
        {
            descriptor.TokenType = type;
        }

        return handler.CreateToken(descriptor);
    }
}
