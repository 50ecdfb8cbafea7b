using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.Data;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Infrastructure.TokenService;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>Invariant 9: signing keys persist across restarts, are stored protected, and roll over without breaking tokens.</summary>
public sealed class SigningKeyTests
{
    [Fact]
    public async Task Keys_SurviveARestart_AndTokensOfTheFirstRunStillValidate()
    {
        var directory = Path.Combine(Path.GetTempPath(), "partnergate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:PartnerGate"] = $"Data Source={Path.Combine(directory, "keys.db")}" };

        string token;
        string firstKeys;
        TestClient client;
        await using (var first = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: settings))
        {
            await first.InitializeAsync();
            client = await first.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
            var http = first.CreateClient();
            token = await http.AccessTokenAsync(client, "orders.read");
            firstKeys = await http.GetStringAsync("/.well-known/jwks");
        }

        await using var second = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: settings);
        await second.InitializeAsync();
        var secondHttp = second.CreateClient();
        var secondKeys = await secondHttp.GetStringAsync("/.well-known/jwks");

        // The restarted node finds the authorization the first one created for this client and grant.
        var again = Read(await secondHttp.AccessTokenAsync(client, "orders.read"));
        Assert.Equal(Read(token).GetClaim("oi_au_id").Value, again.GetClaim("oi_au_id").Value);

        Assert.Equal(KeyIds(firstKeys), KeyIds(secondKeys));
        var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "http://localhost/",
            ValidAudience = PurchaseOrders,
            IssuerSigningKeys = new JsonWebKeySet(secondKeys).GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public async Task StoredPrivateKeys_AreProtected_NotPlainPkcs8()
    {
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite);
        await app.InitializeAsync();
        await using var db = app.CreateDbContext();

        var keys = await db.SigningKeys.ToListAsync();

        Assert.Contains(keys, k => k.Algorithm == "ES256");
        Assert.Contains(keys, k => k.Algorithm == "PS256");
        Assert.Contains(keys, k => k.Use == "enc");
        foreach (var key in keys.Where(k => k.Use == "sig"))
        {
            var bytes = Convert.FromBase64String(key.ProtectedPrivateKey);
            using var ecdsa = ECDsa.Create();
            using var rsa = RSA.Create();
            Assert.ThrowsAny<CryptographicException>(() => ecdsa.ImportPkcs8PrivateKey(bytes, out _));
            Assert.ThrowsAny<CryptographicException>(() => rsa.ImportPkcs8PrivateKey(bytes, out _));
        }
    }

    [Fact]
    public async Task Rollover_SuccessorIsPublishedBeforeItSigns_AndTheOldKeyStaysUntilItsTokensExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite,
            extraSettings: new Dictionary<string, string?>
            {
                ["TokenService:KeyRotationDays"] = "10",
                ["TokenService:KeyPrepublishDays"] = "2",
                ["TokenService:RefreshTokenLifetimeHours"] = "24",
                ["Sweep:Enabled"] = "false",
            },
            configureServices: services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        await app.InitializeAsync();
        var ring = app.Services.GetRequiredService<SigningKeyRing>();
        var http = app.CreateClient();
        var client = await app.CreateServiceClientAsync(BoltNut, ("inventory", ["inventory.read"], TimeSpan.FromDays(30)));
        var first = Read(await http.AccessTokenAsync(client, "inventory.read")).Kid;

        // Day 8 + a minute: inside the pre-publication window of the first key.
        clock.Advance(TimeSpan.FromDays(8) + TimeSpan.FromMinutes(1));
        await ring.EnsureKeysAsync(CancellationToken.None);
        var published = KeyIds(await http.GetStringAsync("/.well-known/jwks"));
        var stillSigning = Read(await http.AccessTokenAsync(client, "inventory.read")).Kid;
        var successor = Assert.Single(published, k => k.StartsWith("es256", StringComparison.Ordinal) && k != first);
        Assert.Equal(first, stillSigning);

        // Day 10: the first key retires, the successor signs; the first stays published for its tokens.
        clock.Advance(TimeSpan.FromDays(2));
        ring.Refresh();

        Assert.Equal(successor, Read(await http.AccessTokenAsync(client, "inventory.read")).Kid);
        Assert.Contains(first, KeyIds(await http.GetStringAsync("/.well-known/jwks")));

        // Past retention (refresh token lifetime + a day): the first key is gone from the ring and the JWKS.
        clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        await ring.EnsureKeysAsync(CancellationToken.None);
        Assert.DoesNotContain(first, KeyIds(await http.GetStringAsync("/.well-known/jwks")));
        await using var db = app.CreateDbContext();
        Assert.False(await db.SigningKeys.AnyAsync(k => k.KeyId == first));
    }

    [Fact]
    public async Task DataProtectionCertificate_EncryptsTheKeyRingAtRest()
    {
        var directory = Path.Combine(Path.GetTempPath(), "partnergate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        using (var rsa = RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=PartnerGate test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(Path.Combine(directory, "ring.pfx"),
                certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "test-password"));
        }

        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = Path.Combine(directory, "ring.pfx"),
            ["DataProtection:CertificatePassword"] = "test-password",
        });
        await app.InitializeAsync();
        await using var db = app.CreateDbContext();

        var ring = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();

        Assert.NotEmpty(ring);
        Assert.All(ring, xml =>
        {
            Assert.Contains("EncryptedData", xml!, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml!, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ConfiguredCertificates_SignInsteadOfTheDatabaseKeyRing()
    {
        var directory = Path.Combine(Path.GetTempPath(), "partnergate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string signingThumbprint;
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=PartnerGate signing", ecdsa, HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            signingThumbprint = certificate.Thumbprint;
            await File.WriteAllBytesAsync(Path.Combine(directory, "signing.pfx"),
                certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pw"));
        }

        using (var rsa = RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=PartnerGate encryption", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(Path.Combine(directory, "encryption.pfx"),
                certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pw"));
        }

        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, environment: "Production", extraSettings: new Dictionary<string, string?>
        {
            ["TokenService:SigningCertificates:0:Path"] = Path.Combine(directory, "signing.pfx"),
            ["TokenService:SigningCertificates:0:Password"] = "pw",
            ["TokenService:EncryptionCertificate:Path"] = Path.Combine(directory, "encryption.pfx"),
            ["TokenService:EncryptionCertificate:Password"] = "pw",
            ["TokenService:AllowInsecureHttp"] = "true",
        });
        await app.InitializeAsync();
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var http = app.CreateClient();

        var token = Read(await http.AccessTokenAsync(client, "orders.read"));
        var jwks = new JsonWebKeySet(await http.GetStringAsync("/.well-known/jwks"));

        Assert.Equal("ES256", token.Alg);
        var published = Assert.Single(jwks.Keys);
        Assert.Equal(token.Kid, published.Kid);
        Assert.Equal(Base64UrlEncoder.Encode(Convert.FromHexString(signingThumbprint)), published.Kid);
        await using var db = app.CreateDbContext();
        Assert.False(await db.SigningKeys.AnyAsync(), "With certificates configured, no key is generated in the database.");
    }

    private static List<string> KeyIds(string jwks) => [.. new JsonWebKeySet(jwks).Keys.Select(k => k.Kid).Order(StringComparer.Ordinal)];
}
