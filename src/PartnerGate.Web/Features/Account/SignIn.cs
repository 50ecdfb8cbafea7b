using System.Security.Claims;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Identity;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Account;

public enum SignInOutcome
{
    SignedIn,

    /// <summary>Wrong password, unknown e-mail or locked account: deliberately one outcome, so the page cannot leak which.</summary>
    Refused,

    /// <summary>Password right; staff with an authenticator enter its code next (no session yet).</summary>
    RequiresSecondFactor,

    /// <summary>Password right; staff without an authenticator must set one up before any session exists.</summary>
    RequiresEnrolment,

    /// <summary>The e-mail is in a domain of a partner with its own identity provider: no local passwords there.</summary>
    UseIdentityProvider,
}

/// <summary>Signs in with a local account (password, lockout on). Runs in the static-SSR request so the cookie can be set.</summary>
[AllowAnonymousMessage]
public sealed record SignInCommand(string Email, string Password) : ICommand<Result<SignInOutcome>>;

public sealed class SignInValidator : AbstractValidator<SignInCommand>
{
    public SignInValidator()
    {
        RuleFor(c => c.Email).NotEmpty().WithMessage("Enter your e-mail address.")
            .MaximumLength(256).WithMessage("That e-mail address is too long.")
            .EmailAddress().WithMessage("Enter a valid e-mail address.");
        RuleFor(c => c.Password).NotEmpty().WithMessage("Enter your password.")
            .MaximumLength(256).WithMessage("That password is too long.");
    }
}

public sealed class SignInHandler(
    SignInManager<PartnerGateUser> signInManager,
    UserManager<PartnerGateUser> userManager,
    IUnitOfWork unitOfWork)
    : ICommandHandler<SignInCommand, Result<SignInOutcome>>
{
    /// <summary>A real hash to verify against when the e-mail is unknown, so the answer takes as long as for a known one.</summary>
    private static readonly string TimingEqualizerHash = new PasswordHasher<PartnerGateUser>().HashPassword(new PartnerGateUser(), Guid.NewGuid().ToString());

    public async ValueTask<Result<SignInOutcome>> Handle(SignInCommand command, CancellationToken cancellationToken)
    {
        var email = command.Email.Trim();

        // Whatever the form posted: a federated domain signs in at its provider only (a disabled one not at all).
        if (await HomeRealms.FindAsync(unitOfWork.Db, email, cancellationToken) is { Provider: { } provider } realm)
        {
            unitOfWork.Audit("account.sign_in_refused", "User", "unknown", realm.Partner.Id, new { email, reason = "federated_domain", provider = provider.Id });
            return SignInOutcome.UseIdentityProvider;
        }

        var user = await userManager.FindByEmailAsync(email);
        if (user is null)
        {
            userManager.PasswordHasher.VerifyHashedPassword(new PartnerGateUser(), TimingEqualizerHash, command.Password);
            unitOfWork.Audit("account.sign_in_refused", "User", "unknown", null, new { email, reason = "unknown_email" });
            return SignInOutcome.Refused;
        }

        // Only checks the password (and lockout): whether a session follows depends on the second factor below.
        var result = await signInManager.CheckPasswordSignInAsync(user, command.Password, lockoutOnFailure: true);
        if (result.Succeeded && StaffAuthenticator.IsRequiredFor(await userManager.GetRolesAsync(user)))
        {
            await PendingSecondFactor.BeginAsync(signInManager.Context, user.Id);
            var next = user.TwoFactorEnabled ? "authenticator_code" : "authenticator_enrolment";
            unitOfWork.Audit("account.password_accepted", "User", user.Id.ToString(), user.PartnerId, new { email, next });
            return user.TwoFactorEnabled ? SignInOutcome.RequiresSecondFactor : SignInOutcome.RequiresEnrolment;
        }

        if (result.Succeeded)
        {
            // Partner users' second factor, where their organisation requires one, comes from their own IdP.
            await signInManager.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(AuthenticationMethods.ClaimType, AuthenticationMethods.Password)]);
            unitOfWork.Audit("account.signed_in", "User", user.Id.ToString(), user.PartnerId, new { email, method = "password" });
            return SignInOutcome.SignedIn;
        }

        var reason = result.IsLockedOut ? "locked_out" : result.IsNotAllowed ? "not_allowed" : "wrong_password";
        unitOfWork.Audit("account.sign_in_refused", "User", user.Id.ToString(), user.PartnerId, new { email, reason });
        return SignInOutcome.Refused;
    }
}

/// <summary>Ends the session's cookie.</summary>
public sealed record SignOutCommand : ICommand<Result>;

public sealed class SignOutHandler(SignInManager<PartnerGateUser> signInManager, IUnitOfWork unitOfWork, ICurrentUser currentUser)
    : ICommandHandler<SignOutCommand, Result>
{
    public async ValueTask<Result> Handle(SignOutCommand command, CancellationToken cancellationToken)
    {
        await signInManager.SignOutAsync();
        unitOfWork.Audit("account.signed_out", "User", currentUser.UserId?.ToString() ?? "unknown", currentUser.PartnerId);
        return Result.Success();
    }
}
