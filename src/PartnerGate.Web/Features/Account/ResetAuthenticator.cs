using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Account;

/// <summary>
/// An administrator removes a staff member's authenticator (lost or replaced phone): key, recovery codes and the
/// last used step go, and at the next sign-in the password leads to the set-up page again. The security stamp
/// changes, so sessions opened with the old factor end at their next validation.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record ResetAuthenticatorCommand(Guid UserId, string Reason) : ICommand<Result>;

public sealed class ResetAuthenticatorValidator : AbstractValidator<ResetAuthenticatorCommand>
{
    public ResetAuthenticatorValidator()
    {
        RuleFor(c => c.UserId).NotEmpty().WithMessage("Choose a staff member.");
        RuleFor(c => c.Reason).NotEmpty().WithMessage("Say why the authenticator is reset (it is audited).")
            .MaximumLength(500).WithMessage("The reason can be at most 500 characters.");
    }
}

public sealed class ResetAuthenticatorHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser)
    : ICommandHandler<ResetAuthenticatorCommand, Result>
{
    public async ValueTask<Result> Handle(ResetAuthenticatorCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == command.UserId, cancellationToken);
        if (user is null)
        {
            return Error.NotFound("user_not_found", "That user does not exist (any more).");
        }

        if (user.PartnerId is not null)
        {
            return Error.Validation("mfa.partner_user", "Partner users have no PartnerGate authenticator: their organisation's identity provider handles their second factor.");
        }

        if (user.Id == currentUser.UserId)
        {
            // One person alone must not be able to swap the factor that protects their own account.
            return Error.Forbidden("mfa.reset_own", "You cannot reset your own authenticator; ask another administrator.");
        }

        var tokens = await db.UserTokens
            .Where(t => t.UserId == user.Id && t.LoginProvider == StaffAuthenticator.TokenProvider)
            .ToListAsync(cancellationToken);
        var wasEnrolled = user.TwoFactorEnabled;
        db.UserTokens.RemoveRange(tokens);
        user.TwoFactorEnabled = false;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        unitOfWork.Audit("account.authenticator_reset", "User", user.Id.ToString(), null, new { email = user.Email, wasEnrolled, reason = command.Reason.Trim() });
        return Result.Success();
    }
}
