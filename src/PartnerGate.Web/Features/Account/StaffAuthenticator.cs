using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using OtpNet;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using QRCoder;

namespace PartnerGate.Web.Features.Account;

/// <summary>What a submitted authenticator code turned out to be.</summary>
public enum AuthenticatorCodeCheck
{
    Accepted,
    Wrong,

    /// <summary>Right code, but its time step was already used: a code seen by someone else is worth nothing.</summary>
    Replayed,
}

/// <summary>
/// Authenticator-app (TOTP, RFC 6238: SHA-1, 6 digits, 30 s) second factor for manufacturer staff. The shared key is
/// kept Data-Protection-protected in Identity's token table (a copy of the database alone does not give it away),
/// recovery codes only as SHA-256 hashes, and the last accepted time step so a code works once.
/// </summary>
public sealed class StaffAuthenticator(UserManager<PartnerGateUser> userManager, IDataProtectionProvider dataProtection, TimeProvider clock)
{
    public const string Issuer = "PartnerGate";
    public const int RecoveryCodeCount = 10;

    internal const string TokenProvider = "PartnerGate";
    internal const string KeyToken = "AuthenticatorKey";
    internal const string LastStepToken = "AuthenticatorLastStep";
    internal const string RecoveryCodesToken = "RecoveryCodeHashes";

    /// <summary>One step either side: the phone's clock may be a little off, but a code never lives longer than 90 s.</summary>
    private static readonly VerificationWindow Drift = new(previous: 1, future: 1);

    private readonly IDataProtector keyProtector = dataProtection.CreateProtector("PartnerGate.Account.AuthenticatorKey.v1");

    /// <summary>Approvers and administrators decide about access: their accounts need a second factor.</summary>
    public static bool IsRequiredFor(IEnumerable<string> roles) => roles.Any(r => r is Roles.Approver or Roles.Administrator);

    /// <summary>A fresh 160-bit key (RFC 4226's recommended length) in base32, as authenticator apps take it.</summary>
    public static string NewKey() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)).TrimEnd('=');

    /// <summary>The key in groups of four, easier to type into an app by hand.</summary>
    public static string Grouped(string key) =>
        string.Join(' ', Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - (i * 4)))));

    /// <summary>The Key URI Format authenticator apps read from a QR code.</summary>
    public static string OtpAuthUri(string email, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits=6&period=30";

    /// <summary>The QR code as a PNG data URI: drawn here, so no image service learns the key (and the CSP allows data: images).</summary>
    public static string QrCodeDataUri(string otpAuthUri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(otpAuthUri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(5);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }

    /// <summary>The code a key gives at a moment; the tests and the demo use it, the server only verifies.</summary>
    public static string CodeAt(string key, DateTimeOffset moment) => new Totp(KeyBytes(key)).ComputeTotp(moment.UtcDateTime);

    /// <summary>Whether a key (as shown to the user) can be decoded; anything else is refused before it is stored.</summary>
    public static bool IsWellFormedKey(string key)
    {
        try
        {
            return KeyBytes(key).Length >= 10;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static string NormalizeCode(string? code) =>
        new((code ?? string.Empty).Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());

    /// <summary>Six digits after removing spaces: a TOTP code; anything else is tried as a recovery code.</summary>
    public static bool LooksLikeTotp(string normalized) => normalized.Length == 6 && normalized.All(char.IsAsciiDigit);

    /// <summary>
    /// The key being set up travels in the enrolment form, encrypted, bound to the user and valid for 15 minutes:
    /// nothing is stored until the user proves with a code that their app holds it.
    /// </summary>
    public string ProtectPendingKey(Guid userId, string key) =>
        PendingKeyProtector(userId).Protect(key, TimeSpan.FromMinutes(15));

    public string? UnprotectPendingKey(Guid userId, string? protectedKey)
    {
        if (string.IsNullOrEmpty(protectedKey))
        {
            return null;
        }

        try
        {
            return PendingKeyProtector(userId).Unprotect(protectedKey);
        }
        catch (CryptographicException)
        {
            // Expired, tampered with, or made for another user.
            return null;
        }
    }

    public async Task<string?> GetKeyAsync(PartnerGateUser user)
    {
        var stored = await userManager.GetAuthenticationTokenAsync(user, TokenProvider, KeyToken);
        return stored is null ? null : keyProtector.Unprotect(stored);
    }

    /// <summary>Verifies a code against a key that is not stored yet (enrolment); nothing is written.</summary>
    public bool Matches(string key, string code, out long step) =>
        new Totp(KeyBytes(key)).VerifyTotp(clock.GetUtcNow().UtcDateTime, code, out step, Drift);

    /// <summary>
    /// Checks a code for an enrolled user and, when it is good, records its time step before anything else
    /// happens. The write carries Identity's concurrency stamp, so two requests racing with the same code
    /// cannot both win: the loser's write fails and it counts as a replay.
    /// </summary>
    public async Task<AuthenticatorCodeCheck> VerifyAsync(PartnerGateUser user, string code)
    {
        var key = await GetKeyAsync(user);
        if (key is null || !Matches(key, code, out var step))
        {
            return AuthenticatorCodeCheck.Wrong;
        }

        var last = await userManager.GetAuthenticationTokenAsync(user, TokenProvider, LastStepToken);
        if (last is not null && long.Parse(last, CultureInfo.InvariantCulture) >= step)
        {
            return AuthenticatorCodeCheck.Replayed;
        }

        var recorded = await userManager.SetAuthenticationTokenAsync(user, TokenProvider, LastStepToken, step.ToString(CultureInfo.InvariantCulture));
        return recorded.Succeeded ? AuthenticatorCodeCheck.Accepted : AuthenticatorCodeCheck.Replayed;
    }

    /// <summary>
    /// Turns the second factor on with a key the user proved they hold (the code's step is recorded, so the
    /// enrolment code cannot sign in again) and returns new recovery codes, which are shown once.
    /// </summary>
    public Task<IdentityResult> EnableAsync(PartnerGateUser user, string key, long provenStep, IReadOnlyList<string> recoveryCodes) =>
        EnableProtectedAsync(user, ProtectKey(key), provenStep, recoveryCodes);

    /// <summary>Protecting may create the first Data Protection key, a database write of its own: do it before a transaction.</summary>
    public string ProtectKey(string key) => keyProtector.Protect(key);

    public async Task<IdentityResult> EnableProtectedAsync(PartnerGateUser user, string protectedKey, long provenStep, IReadOnlyList<string> recoveryCodes)
    {
        foreach (var (name, value) in new[]
        {
            (KeyToken, protectedKey),
            (LastStepToken, provenStep.ToString(CultureInfo.InvariantCulture)),
            (RecoveryCodesToken, HashAll(recoveryCodes)),
        })
        {
            var written = await userManager.SetAuthenticationTokenAsync(user, TokenProvider, name, value);
            if (!written.Succeeded)
            {
                return written;
            }
        }

        // Last, so a failure above leaves the user where they were: not enrolled.
        return await userManager.SetTwoFactorEnabledAsync(user, true);
    }

    /// <summary>Ten codes of 10 base32 characters (50 bits each): guessing one within the lockout limit is hopeless.</summary>
    public static IReadOnlyList<string> NewRecoveryCodes()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        return Enumerable.Range(0, RecoveryCodeCount)
            .Select(_ => RandomNumberGenerator.GetString(alphabet, 10).Insert(5, "-"))
            .ToList();
    }

    /// <summary>Uses a recovery code up: true once per code. Stored as hashes, so the database never holds a usable one.</summary>
    public async Task<bool> RedeemRecoveryCodeAsync(PartnerGateUser user, string code)
    {
        var stored = await userManager.GetAuthenticationTokenAsync(user, TokenProvider, RecoveryCodesToken);
        if (string.IsNullOrEmpty(stored))
        {
            return false;
        }

        var candidate = Convert.FromHexString(Hash(code));
        var hashes = stored.Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        var match = hashes.FirstOrDefault(h => CryptographicOperations.FixedTimeEquals(Convert.FromHexString(h), candidate));
        if (match is null)
        {
            return false;
        }

        hashes.Remove(match);
        var written = await userManager.SetAuthenticationTokenAsync(user, TokenProvider, RecoveryCodesToken, string.Join(';', hashes));
        return written.Succeeded;
    }

    public async Task<int> CountRecoveryCodesAsync(PartnerGateUser user) =>
        (await userManager.GetAuthenticationTokenAsync(user, TokenProvider, RecoveryCodesToken))?.Split(';', StringSplitOptions.RemoveEmptyEntries).Length ?? 0;

    private ITimeLimitedDataProtector PendingKeyProtector(Guid userId) =>
        dataProtection.CreateProtector("PartnerGate.Account.PendingAuthenticatorKey.v1", userId.ToString()).ToTimeLimitedDataProtector();

    private static string HashAll(IEnumerable<string> codes) => string.Join(';', codes.Select(Hash));

    /// <summary>Case and dashes do not matter when a code is typed back from paper.</summary>
    private static string Hash(string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(NormalizeCode(code).ToLowerInvariant())));

    private static byte[] KeyBytes(string key) => Base32Encoding.ToBytes(key.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant());
}

/// <summary>
/// The half-signed-in state between the password and the second factor: Identity's two-factor user-id cookie
/// (five minutes by default) names the user, and nothing else does. No session exists until the second step.
/// </summary>
public static class PendingSecondFactor
{
    /// <summary>Written the way Identity's SignInManager writes it, so <c>GetTwoFactorAuthenticationUserAsync</c> reads it back.</summary>
    public static Task BeginAsync(HttpContext context, Guid userId) =>
        context.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, userId.ToString())], IdentityConstants.TwoFactorUserIdScheme)));

    public static Task EndAsync(HttpContext context) => context.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
}
