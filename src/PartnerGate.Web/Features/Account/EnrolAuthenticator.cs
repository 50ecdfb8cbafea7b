using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Identity;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Account;

/// <summary>What the set-up page shows: the key as text and as a QR code, and the encrypted key its form posts back.</summary>
public sealed record AuthenticatorEnrolment(string Email, string GroupedKey, string QrCodeDataUri, string ProtectedKey);

/// <summary>
/// The set-up page of a staff member who passed the password step but has no authenticator yet. A key the form
/// posted back (after a mistyped code) is shown again, so the user need not scan a new one.
/// </summary>
[AllowAnonymousMessage]
public sealed record GetAuthenticatorEnrolmentQuery(string? ProtectedKey) : IQuery<Result<AuthenticatorEnrolment>>;

public sealed class GetAuthenticatorEnrolmentHandler(SignInManager<PartnerGateUser> signInManager, StaffAuthenticator authenticator)
    : IQueryHandler<GetAuthenticatorEnrolmentQuery, Result<AuthenticatorEnrolment>>
{
    public async ValueTask<Result<AuthenticatorEnrolment>> Handle(GetAuthenticatorEnrolmentQuery query, CancellationToken cancellationToken)
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return EnrolmentErrors.NoPendingSignIn;
        }

        if (user.TwoFactorEnabled)
        {
            return EnrolmentErrors.AlreadyEnrolled;
        }

        var key = authenticator.UnprotectPendingKey(user.Id, query.ProtectedKey) ?? StaffAuthenticator.NewKey();
        var email = user.Email ?? user.UserName ?? user.Id.ToString();
        return new AuthenticatorEnrolment(email, StaffAuthenticator.Grouped(key),
            StaffAuthenticator.QrCodeDataUri(StaffAuthenticator.OtpAuthUri(email, key)), authenticator.ProtectPendingKey(user.Id, key));
    }
}

/// <summary>
/// Turns the authenticator on once a code from it matches the key shown, signs the user in (with <c>amr</c> =
/// <c>mfa</c>) and hands back the recovery codes to show once. A wrong code changes nothing.
/// </summary>
[AllowAnonymousMessage]
public sealed record EnrolAuthenticatorCommand(string ProtectedKey, string Code) : ICommand<Result<IReadOnlyList<string>>>;

public sealed class EnrolAuthenticatorValidator : AbstractValidator<EnrolAuthenticatorCommand>
{
    public EnrolAuthenticatorValidator()
    {
        RuleFor(c => c.ProtectedKey).NotEmpty().WithMessage("This set-up page is incomplete; reload it.")
            .MaximumLength(2000).WithMessage("This set-up page is incomplete; reload it.");
        RuleFor(c => c.Code).NotEmpty().WithMessage("Enter the 6-digit code your authenticator app shows.")
            .Must(c => c is null || StaffAuthenticator.LooksLikeTotp(StaffAuthenticator.NormalizeCode(c)))
            .WithMessage("Enter the 6-digit code your authenticator app shows.");
    }
}

public sealed class EnrolAuthenticatorHandler(
    SignInManager<PartnerGateUser> signInManager,
    StaffAuthenticator authenticator,
    IUnitOfWork unitOfWork)
    : ICommandHandler<EnrolAuthenticatorCommand, Result<IReadOnlyList<string>>>
{
    public async ValueTask<Result<IReadOnlyList<string>>> Handle(EnrolAuthenticatorCommand command, CancellationToken cancellationToken)
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return EnrolmentErrors.NoPendingSignIn;
        }

        if (user.TwoFactorEnabled)
        {
            return EnrolmentErrors.AlreadyEnrolled;
        }

        var key = authenticator.UnprotectPendingKey(user.Id, command.ProtectedKey);
        if (key is null)
        {
            return Error.Validation("mfa.enrolment_expired", "This set-up page has expired. Scan the new QR code below and enter the code it gives.");
        }

        if (!authenticator.Matches(key, StaffAuthenticator.NormalizeCode(command.Code), out var step))
        {
            return Error.Validation("mfa.enrolment_code_wrong",
                "That code does not match. Check that the app shows the PartnerGate entry you just added, and enter its current code.");
        }

        var recoveryCodes = StaffAuthenticator.NewRecoveryCodes();
        var enabled = await authenticator.EnableAsync(user, key, step, recoveryCodes);
        if (!enabled.Succeeded)
        {
            return Error.Conflict("mfa.enrolment_failed", "Your account changed while you were setting up the app. Sign in again.");
        }

        await signInManager.SignInWithClaimsAsync(user, isPersistent: false,
        [
            VerifySecondFactorHandler.Amr(AuthenticationMethods.Password),
            VerifySecondFactorHandler.Amr(AuthenticationMethods.OneTimePassword),
            VerifySecondFactorHandler.Amr(AuthenticationMethods.MultiFactor),
        ]);
        await PendingSecondFactor.EndAsync(signInManager.Context);
        var target = user.Id.ToString();
        unitOfWork.Audit("account.mfa_enrolled", "User", target, user.PartnerId, new { email = user.Email, factor = "totp" });
        unitOfWork.Audit("account.recovery_codes_generated", "User", target, user.PartnerId, new { email = user.Email, count = recoveryCodes.Count });
        unitOfWork.Audit("account.signed_in", "User", target, user.PartnerId, new { email = user.Email, method = "password+totp" });
        return Result<IReadOnlyList<string>>.Success(recoveryCodes);
    }
}

internal static class EnrolmentErrors
{
    public static readonly Error NoPendingSignIn = Error.Forbidden("mfa.no_pending_sign_in", "Your sign-in has expired. Sign in again with your e-mail and password.");
    public static readonly Error AlreadyEnrolled = Error.Conflict("mfa.already_enrolled", "Your authenticator app is already set up. Enter a code from it to sign in.");
}
