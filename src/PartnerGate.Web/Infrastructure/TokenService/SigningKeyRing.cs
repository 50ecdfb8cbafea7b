using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using PartnerGate.Data;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// The token service's keys, generated once and kept in the database with the private part protected by
/// Data Protection (whose own keys are in the database too, so every node reads every key). ES256 signs;
/// PS256 is published for resource servers that prefer RSA; a symmetric AES key encrypts authorization
/// codes and refresh tokens. Never the development certificate, never an ephemeral key.
/// </summary>
/// <remarks>
/// Rollover: <see cref="EnsureKeysAsync"/> creates a successor <see cref="TokenServiceOptions.KeyPrepublish"/>
/// before the current key retires; it is published at once and signs only from the current key's retirement.
/// Retired keys stay published for <see cref="TokenServiceOptions.KeyRetention"/>. Every node orders the
/// keys the same way, so two nodes that both created a successor still agree on which one signs.
/// </remarks>
public sealed partial class SigningKeyRing(
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    IDataProtectionProvider dataProtection,
    IOptionsMonitorCache<OpenIddictServerOptions> serverOptionsCache,
    IOptionsMonitorCache<OpenIddict.Validation.OpenIddictValidationOptions> validationOptionsCache,
    IOptions<TokenServiceOptions> options,
    TimeProvider clock,
    ILogger<SigningKeyRing> logger)
{
    public const string Es256 = SecurityAlgorithms.EcdsaSha256;
    public const string Ps256 = SecurityAlgorithms.RsaSsaPssSha256;
    public const string Aes256KeyWrap = SecurityAlgorithms.Aes256KW;

    private static readonly string[] Algorithms = [Es256, Ps256, Aes256KeyWrap];

    private readonly IDataProtector protector = dataProtection.CreateProtector("PartnerGate.TokenService.SigningKeys.v1");
    private readonly Lock gate = new();
    private KeyRingSnapshot? snapshot;

    /// <summary>The keys as last read from the database; loaded on first use when start-up has not done it yet.</summary>
    public KeyRingSnapshot Current
    {
        get
        {
            var current = snapshot;
            if (current is not null)
            {
                return current;
            }

            // Options can be asked for before the hosted service has loaded the ring (a very early request).
            EnsureKeysAsync(CancellationToken.None).GetAwaiter().GetResult();
            return snapshot!;
        }
    }

    /// <summary>
    /// Creates the first keys and any successor that is due, drops keys past retention, and reloads the
    /// ring. When what signs or what is published changed, OpenIddict's options are rebuilt.
    /// </summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var keys = await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken);

        var expired = keys.Where(k => k.RemoveAt <= now).Select(k => k.Id).ToList();
        if (expired.Count > 0)
        {
            await db.SigningKeys.Where(k => expired.Contains(k.Id)).ExecuteDeleteAsync(cancellationToken);
            keys.RemoveAll(k => expired.Contains(k.Id));
            LogRemoved(expired.Count);
        }

        foreach (var algorithm in Algorithms)
        {
            var ofAlgorithm = keys.Where(k => k.Algorithm == algorithm).ToList();
            var signing = PickSigning(ofAlgorithm, now);
            if (signing is null)
            {
                // No key at all (first start) or every key retired while the service was down: sign at once.
                var first = NewKey(algorithm, now, activateAt: now, settings);
                db.SigningKeys.Add(first);
                keys.Add(first);
                LogCreated(first.KeyId, algorithm, first.ActivateAt);
                continue;
            }

            var hasSuccessor = ofAlgorithm.Any(k => k.ActivateAt >= signing.RetireAt);
            if (!hasSuccessor && signing.RetireAt - now <= settings.KeyPrepublish)
            {
                var successor = NewKey(algorithm, now, activateAt: signing.RetireAt, settings);
                db.SigningKeys.Add(successor);
                keys.Add(successor);
                LogCreated(successor.KeyId, algorithm, successor.ActivateAt);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        Reload(keys, now);
    }

    /// <summary>Re-reads which key signs at the current time (a successor becomes active without a database change).</summary>
    public void Refresh()
    {
        var current = snapshot;
        if (current is not null)
        {
            Reload(current.Keys, clock.GetUtcNow());
        }
    }

    /// <summary>Adds the ring's keys to OpenIddict: the signing ES256 key first (OpenIddict signs with the first asymmetric key).</summary>
    public void ApplyTo(OpenIddictServerOptions serverOptions)
    {
        var ring = Current;
        serverOptions.SigningCredentials.AddRange(ring.SigningCredentials);
        serverOptions.EncryptionCredentials.AddRange(ring.EncryptionCredentials);
    }

    private void Reload(IReadOnlyList<SigningKey> keys, DateTimeOffset now)
    {
        var next = Build(keys, now);
        lock (gate)
        {
            var previous = snapshot;
            snapshot = next;
            if (previous is not null && previous.Fingerprint != next.Fingerprint)
            {
                // OpenIddict reads its options per request through IOptionsMonitor: dropping the cached
                // instance makes the next request build one with the new key set.
                serverOptionsCache.TryRemove(Options.DefaultName);

                // The admin API's validation copies the server's keys when its options are built (UseLocalServer).
                validationOptionsCache.TryRemove(Options.DefaultName);
                LogReloaded(next.Fingerprint);
            }
        }
    }

    private KeyRingSnapshot Build(IReadOnlyList<SigningKey> keys, DateTimeOffset now)
    {
        var signing = new List<SigningCredentials>();
        var encryption = new List<EncryptingCredentials>();
        var fingerprint = new List<string>();
        var published = keys.Where(k => k.PublishAt <= now && now < k.RemoveAt).ToList();

        foreach (var algorithm in Algorithms)
        {
            var ofAlgorithm = published.Where(k => k.Algorithm == algorithm).ToList();
            var active = PickSigning(ofAlgorithm, now);

            // The active key first, then the others (successors and retired keys) for validation and the JWKS.
            foreach (var key in ofAlgorithm.OrderBy(k => k == active ? 0 : 1).ThenBy(k => k.ActivateAt).ThenBy(k => k.KeyId, StringComparer.Ordinal))
            {
                fingerprint.Add($"{key.KeyId}{(key == active ? "*" : string.Empty)}");
                if (algorithm == Aes256KeyWrap)
                {
                    var aes = new SymmetricSecurityKey(Unprotect(key)) { KeyId = key.KeyId };
                    encryption.Add(new EncryptingCredentials(aes, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
                }
                else
                {
                    signing.Add(new SigningCredentials(ToSecurityKey(key), algorithm));
                }
            }
        }

        // ES256 must come before PS256 so that it is the key OpenIddict signs with.
        signing = [.. signing.OrderBy(c => c.Algorithm == Es256 ? 0 : 1)];
        return new KeyRingSnapshot(keys.ToList(), signing, encryption, string.Join(",", fingerprint));
    }

    /// <summary>The key that signs now: activated, not retired; the latest activation wins, ties by key id.</summary>
    private static SigningKey? PickSigning(IEnumerable<SigningKey> keys, DateTimeOffset now) => keys
        .Where(k => k.ActivateAt <= now && now < k.RetireAt)
        .OrderByDescending(k => k.ActivateAt)
        .ThenBy(k => k.KeyId, StringComparer.Ordinal)
        .FirstOrDefault();

    private SigningKey NewKey(string algorithm, DateTimeOffset now, DateTimeOffset activateAt, TokenServiceOptions settings)
    {
        byte[] privateKey;
        switch (algorithm)
        {
            case Es256:
                using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    privateKey = ecdsa.ExportPkcs8PrivateKey();
                }

                break;
            case Ps256:
                using (var rsa = RSA.Create(2048))
                {
                    privateKey = rsa.ExportPkcs8PrivateKey();
                }

                break;
            default:
                privateKey = RandomNumberGenerator.GetBytes(32);
                break;
        }

        var retireAt = activateAt + settings.KeyRotation;
        return new SigningKey
        {
            Id = Guid.NewGuid(),
            KeyId = $"{algorithm.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal)}-{now:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            Algorithm = algorithm,
            Use = algorithm == Aes256KeyWrap ? "enc" : "sig",
            ProtectedPrivateKey = Convert.ToBase64String(protector.Protect(privateKey)),
            CreatedAt = now,
            PublishAt = now,
            ActivateAt = activateAt,
            RetireAt = retireAt,
            RemoveAt = retireAt + settings.KeyRetention,
        };
    }

    private byte[] Unprotect(SigningKey key) => protector.Unprotect(Convert.FromBase64String(key.ProtectedPrivateKey));

    private AsymmetricSecurityKey ToSecurityKey(SigningKey key)
    {
        var pkcs8 = Unprotect(key);
        if (key.Algorithm == Es256)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return new ECDsaSecurityKey(ecdsa) { KeyId = key.KeyId };
        }

        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return new RsaSecurityKey(rsa) { KeyId = key.KeyId };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Token service key {KeyId} ({Algorithm}) created; it signs from {ActivateAt:O}")]
    private partial void LogCreated(string keyId, string algorithm, DateTimeOffset activateAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} token service key(s) past their retention")]
    private partial void LogRemoved(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token service key ring changed: {Fingerprint} (* signs)")]
    private partial void LogReloaded(string fingerprint);
}

/// <summary>The keys in effect: all rows, the credentials OpenIddict gets, and a fingerprint to notice changes.</summary>
public sealed record KeyRingSnapshot(
    IReadOnlyList<SigningKey> Keys,
    IReadOnlyList<SigningCredentials> SigningCredentials,
    IReadOnlyList<EncryptingCredentials> EncryptionCredentials,
    string Fingerprint);

/// <summary>Loads the ring at start-up (after migrations) and checks hourly for rollover; every minute for activation.</summary>
public sealed class SigningKeyRotationService(SigningKeyRing ring, IOptions<TokenServiceOptions> options) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SigningCertificates.Any(c => !string.IsNullOrWhiteSpace(c.Path)))
        {
            await ring.EnsureKeysAsync(cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.SigningCertificates.Any(c => !string.IsNullOrWhiteSpace(c.Path)))
        {
            return;
        }

        var minute = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (++minute % 60 == 0)
            {
                await ring.EnsureKeysAsync(stoppingToken);
            }
            else
            {
                ring.Refresh();
            }
        }
    }
}
