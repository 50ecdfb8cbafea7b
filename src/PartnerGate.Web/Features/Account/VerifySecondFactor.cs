using System.Security.Claims;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Identity;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Account;

public enum SecondFactorOutcome
{
    SignedIn,

    /// <summary>Wrong, replayed or locked out: one outcome, so the page says one calm thing.</summary>
    Refused,

    /// <summary>No password step in the last few minutes (or it expired): start again.</summary>
    NoPendingSignIn,

    /// <summary>The user has no authenticator (e.g. an administrator reset it): set one up first.</summary>
    RequiresEnrolment,
}

/// <summary>
/// The second step of a staff sign-in: a code from the authenticator app, or one of the recovery codes. The user
/// is known only through the two-factor user-id cookie the password step wrote.
/// </summary>
[AllowAnonymousMessage]
public sealed record VerifySecondFactorCommand(string Code) : ICommand<Result<SecondFactorOutcome>>;

public sealed class VerifySecondFactorValidator : AbstractValidator<VerifySecondFactorCommand>
{
    public VerifySecondFactorValidator()
    {
        RuleFor(c => c.Code).NotEmpty().WithMessage("Enter the code from your authenticator app, or a recovery code.")
            .MaximumLength(64).WithMessage("That code is too long.");
    }
}

public sealed class VerifySecondFactorHandler(
    SignInManager<PartnerGateUser> signInManager,
    UserManager<PartnerGateUser> userManager,
    StaffAuthenticator authenticator,
    IUnitOfWork unitOfWork)
    : ICommandHandler<VerifySecondFactorCommand, Result<SecondFactorOutcome>>
{
    public async ValueTask<Result<SecondFactorOutcome>> Handle(VerifySecondFactorCommand command, CancellationToken cancellationToken)
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return SecondFactorOutcome.NoPendingSignIn;
        }

        if (!user.TwoFactorEnabled)
        {
            return SecondFactorOutcome.RequiresEnrolment;
        }

        var code = StaffAuthenticator.NormalizeCode(command.Code);
        var factor = StaffAuthenticator.LooksLikeTotp(code) ? "totp" : "recovery_code";
        if (await userManager.IsLockedOutAsync(user))
        {
            // Checked before the code, so a locked account spends no code and learns nothing about it.
            unitOfWork.Audit("account.sign_in_refused", "User", user.Id.ToString(), user.PartnerId, new { email = user.Email, reason = "locked_out", factor });
            return SecondFactorOutcome.Refused;
        }

        var check = factor == "totp"
            ? await authenticator.VerifyAsync(user, code)
            : await authenticator.RedeemRecoveryCodeAsync(user, code) ? AuthenticatorCodeCheck.Accepted : AuthenticatorCodeCheck.Wrong;
        if (check != AuthenticatorCodeCheck.Accepted)
        {
            // The same counter as wrong passwords: five failures of either kind lock the account.
            await userManager.AccessFailedAsync(user);
            var lockedOut = await userManager.IsLockedOutAsync(user);
            var reason = check == AuthenticatorCodeCheck.Replayed ? "replayed_code" : "wrong_second_factor";
            unitOfWork.Audit("account.sign_in_refused", "User", user.Id.ToString(), user.PartnerId, new { email = user.Email, reason, factor, lockedOut });
            return SecondFactorOutcome.Refused;
        }

        await userManager.ResetAccessFailedCountAsync(user);
        Claim[] methods = factor == "totp"
            ? [Amr(AuthenticationMethods.Password), Amr(AuthenticationMethods.OneTimePassword), Amr(AuthenticationMethods.MultiFactor)]
            : [Amr(AuthenticationMethods.Password), Amr(AuthenticationMethods.MultiFactor)];
        await signInManager.SignInWithClaimsAsync(user, isPersistent: false, methods);
        await PendingSecondFactor.EndAsync(signInManager.Context);
        var method = factor == "totp" ? "password+totp" : "recovery_code";
        unitOfWork.Audit("account.signed_in", "User", user.Id.ToString(), user.PartnerId, factor == "totp"
            ? (object)new { email = user.Email, method }
            : new { email = user.Email, method, recoveryCodesLeft = await authenticator.CountRecoveryCodesAsync(user) });
        return SecondFactorOutcome.SignedIn;
    }

    internal static Claim Amr(string value) => new(AuthenticationMethods.ClaimType, value);
}
