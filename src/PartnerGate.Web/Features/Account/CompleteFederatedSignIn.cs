using System.Security.Claims;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Auditing;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Auditing;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.Web.Features.Account;

public static class FederatedSignIn
{
    public const string RefusedAuditAction = "account.federated_sign_in_refused";

    /// <summary>The claim on the session that says a second factor was proven (RFC 8176); RequireMfa checks read exactly this.</summary>
    public const string AmrClaim = "amr";
    public const string MfaAmrValue = "mfa";
}

/// <summary>How a federated sign-in ended; a refusal carries its reason code (see <see cref="FederatedSignInRefusal"/>).</summary>
public sealed record FederatedSignInOutcome(bool SignedIn, string? RefusalReason)
{
    public static FederatedSignInOutcome Success { get; } = new(true, null);

    public static FederatedSignInOutcome Refused(string reason) => new(false, reason);
}

/// <summary>
/// Finishes a sign-in at a partner's identity provider, from the principal the OpenID Connect handler put in
/// the external cookie (its ID token already checked for signature, issuer, audience, lifetime and nonce).
/// Checks again what PartnerGate itself guarantees — the provider and partner are active, the issuer is the
/// registered one, the e-mail is in the partner's verified domains (a partner's IdP can never speak for
/// another partner's users: invariant 4 across IdPs), MFA where required — then provisions or refreshes the
/// user just in time and signs them in with the application cookie. Refusals are audited and change nothing.
/// </summary>
[AllowAnonymousMessage]
public sealed record CompleteFederatedSignInCommand(Guid ProviderId, ClaimsPrincipal? ExternalPrincipal) : ICommand<Result<FederatedSignInOutcome>>;

public sealed class CompleteFederatedSignInValidator : AbstractValidator<CompleteFederatedSignInCommand>
{
    public CompleteFederatedSignInValidator() => RuleFor(c => c.ProviderId).NotEmpty();
}

public sealed class CompleteFederatedSignInHandler(
    IUnitOfWork unitOfWork,
    PartnerGateDbContext identityDb,
    UserManager<PartnerGateUser> users,
    SignInManager<PartnerGateUser> signInManager,
    TimeProvider clock,
    IPublisher publisher)
    : ICommandHandler<CompleteFederatedSignInCommand, Result<FederatedSignInOutcome>>
{
    private const int MaximumClaimLength = 256;

    public async ValueTask<Result<FederatedSignInOutcome>> Handle(CompleteFederatedSignInCommand command, CancellationToken cancellationToken)
    {
        // The external cookie has done its job whatever happens next: a refused identity must not linger.
        await signInManager.Context.SignOutAsync(IdentityConstants.ExternalScheme);

        var provider = await unitOfWork.Db.PartnerIdentityProviders.AsNoTracking().SingleOrDefaultAsync(p => p.Id == command.ProviderId, cancellationToken);
        var external = command.ExternalPrincipal?.Identities.FirstOrDefault(i => i.IsAuthenticated);
        if (provider is null || external is null)
        {
            unitOfWork.Audit(FederatedSignIn.RefusedAuditAction, "PartnerIdentityProvider", command.ProviderId.ToString(), provider?.PartnerId,
                new { reason = provider is null ? FederatedSignInRefusal.ProviderUnknown : FederatedSignInRefusal.SignInExpired, stage = "completion" });
            return FederatedSignInOutcome.Refused(provider is null ? FederatedSignInRefusal.ProviderUnknown : FederatedSignInRefusal.SignInExpired);
        }

        var subject = Single(external, "sub");
        var email = Single(external, provider.ClaimMapping.EmailClaim)?.Trim();
        if (!provider.IsEnabled)
        {
            return Refuse(provider, FederatedSignInRefusal.ProviderDisabled, email, subject);
        }

        var partner = await unitOfWork.Db.Partners.AsNoTracking().SingleAsync(p => p.Id == provider.PartnerId, cancellationToken);
        if (partner.Status == PartnerStatus.Suspended)
        {
            return Refuse(provider, FederatedSignInRefusal.PartnerSuspended, email, subject);
        }

        // The handler accepted only the registered issuer; checked again so no configuration slip can widen it.
        if (!string.Equals(Single(external, "iss"), provider.Authority, StringComparison.Ordinal))
        {
            return Refuse(provider, FederatedSignInRefusal.IssuerMismatch, email, subject);
        }

        if (string.IsNullOrEmpty(subject) || subject.Length > MaximumClaimLength)
        {
            return Refuse(provider, FederatedSignInRefusal.SubjectMissing, email, null);
        }

        if (string.IsNullOrEmpty(email) || email.Length > MaximumClaimLength || !email.Contains('@', StringComparison.Ordinal))
        {
            return Refuse(provider, FederatedSignInRefusal.EmailMissing, null, subject);
        }

        if (Single(external, "email_verified") is { } verified && !(bool.TryParse(verified, out var isVerified) && isVerified))
        {
            return Refuse(provider, FederatedSignInRefusal.EmailUnverified, email, subject);
        }

        if (!partner.OwnsEmail(email))
        {
            return Refuse(provider, FederatedSignInRefusal.EmailOutsidePartnerDomains, email, subject);
        }

        var amr = external.FindAll(FederatedSignIn.AmrClaim).Select(c => c.Value).ToList();
        var acr = Single(external, "acr");
        var multiFactor = provider.Mfa.IsSatisfiedBy(amr, acr);
        if (provider.Mfa.Required && !multiFactor)
        {
            return Refuse(provider, FederatedSignInRefusal.MfaMissing, email, subject, new { amr, acr });
        }

        var displayName = Single(external, provider.ClaimMapping.NameClaim)?.Trim() is { Length: > 0 and <= MaximumClaimLength } name ? name : email;
        var role = provider.ClaimMapping.RoleClaim is { } roleClaim
            ? provider.RoleFor(external.FindAll(roleClaim).Select(c => c.Value))
            : Roles.PartnerUser;

        // Who this is: the (provider, subject) pair first — the e-mail can change at the IdP, the subject not.
        var user = await users.FindByLoginAsync(provider.SchemeName, subject);
        var byEmail = await users.FindByEmailAsync(email);
        if (byEmail is not null && (byEmail.PartnerId != partner.Id || (user is not null && byEmail.Id != user.Id)))
        {
            // Staff, another partner's user, or another person of this partner: never taken over by an assertion.
            return Refuse(provider, FederatedSignInRefusal.EmailBelongsToAnotherAccount, email, subject);
        }

        if (user is not null && user.PartnerId != partner.Id)
        {
            return Refuse(provider, FederatedSignInRefusal.EmailBelongsToAnotherAccount, email, subject);
        }

        var existing = user ?? byEmail;
        if (existing is not null && await users.IsLockedOutAsync(existing))
        {
            return Refuse(provider, FederatedSignInRefusal.LockedOut, email, subject);
        }

        if (existing is not null && user is null && (await users.GetLoginsAsync(existing)).Any(l => l.LoginProvider == provider.SchemeName))
        {
            // This partner account is already bound to another person at the provider (another subject).
            return Refuse(provider, FederatedSignInRefusal.EmailBelongsToAnotherAccount, email, subject);
        }

        var written = await WriteAsync(provider, partner, existing, user is not null, subject, email, displayName, role, cancellationToken);
        if (!written.IsSuccess)
        {
            return Refuse(provider, FederatedSignInRefusal.AccountInvalid, email, subject, new { errors = written.Error!.Message });
        }

        var signedIn = written.Value;
        await signInManager.SignInWithClaimsAsync(signedIn, isPersistent: false,
            multiFactor ? [new Claim(FederatedSignIn.AmrClaim, FederatedSignIn.MfaAmrValue)] : []);
        unitOfWork.Audit("account.signed_in", "User", signedIn.Id.ToString(), partner.Id,
            new { email, method = "federated", provider = provider.Id, mfa = multiFactor });
        return FederatedSignInOutcome.Success;
    }

    /// <summary>
    /// Creates, links or refreshes the user and writes the audit events in one transaction. It runs on the
    /// context ASP.NET Core Identity's store uses (not the unit of work's), because UserManager saves through
    /// that one; and it commits before the cookie is issued, since the cookie's role claims are read back from it.
    /// </summary>
    private async Task<Result<PartnerGateUser>> WriteAsync(
        PartnerIdentityProvider provider, Partner partner, PartnerGateUser? existing, bool linked,
        string subject, string email, string displayName, string role, CancellationToken cancellationToken)
    {
        var actor = new AuditActor($"idp:{provider.Id:N}", provider.DisplayName);
        // Identity's stores write through this context, so this is its own transaction, not the unit of work's: the events
        // it commits are handed to the structured log here, as the unit of work does for its own.
        IReadOnlyList<AuditEvent> committed = [];
        var strategy = identityDb.Database.CreateExecutionStrategy();
        var outcome = await strategy.ExecuteAsync(async ct =>
        {
            identityDb.ChangeTracker.Clear();
            await using var transaction = await identityDb.Database.BeginTransactionAsync(ct);
            var audit = new List<AuditEntry>();
            PartnerGateUser user;
            if (existing is null)
            {
                user = new PartnerGateUser
                {
                    Id = Guid.NewGuid(),
                    UserName = email,
                    Email = email,
                    EmailConfirmed = true,
                    DisplayName = displayName,
                    PartnerId = partner.Id,
                    LockoutEnabled = true,
                };
                var created = await Check(users.CreateAsync(user))
                    ?? await Check(users.AddToRoleAsync(user, role))
                    ?? await Check(users.AddLoginAsync(user, new UserLoginInfo(provider.SchemeName, subject, provider.DisplayName)));
                if (created is not null)
                {
                    return created;
                }

                audit.Add(Entry("user.provisioned", user, new { email, displayName, role, provider = provider.Id, subject }));
            }
            else
            {
                user = await users.FindByIdAsync(existing.Id.ToString()) ?? throw new InvalidOperationException("The user vanished during sign-in.");
                if (!linked)
                {
                    if (await Check(users.AddLoginAsync(user, new UserLoginInfo(provider.SchemeName, subject, provider.DisplayName))) is { } failed)
                    {
                        return failed;
                    }

                    audit.Add(Entry("user.linked", user, new { email, provider = provider.Id, subject }));
                }

                var changes = new Dictionary<string, object?>(StringComparer.Ordinal);
                if (!string.Equals(user.DisplayName, displayName, StringComparison.Ordinal))
                {
                    changes["displayName"] = new { from = user.DisplayName, to = displayName };
                    user.DisplayName = displayName;
                }

                if (!string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase))
                {
                    // The IdP renamed the person within the partner's domains (checked above).
                    changes["email"] = new { from = user.Email, to = email };
                    if ((await Check(users.SetEmailAsync(user, email)) ?? await Check(users.SetUserNameAsync(user, email))) is { } failed)
                    {
                        return failed;
                    }

                    user.EmailConfirmed = true;
                }

                var roles = await users.GetRolesAsync(user);
                if (roles.Count != 1 || roles[0] != role)
                {
                    changes["role"] = new { from = string.Join(",", roles), to = role };
                    if ((await Check(users.RemoveFromRolesAsync(user, roles)) ?? await Check(users.AddToRoleAsync(user, role))) is { } failed)
                    {
                        return failed;
                    }
                }

                if (changes.Count > 0)
                {
                    if (await Check(users.UpdateAsync(user)) is { } failed)
                    {
                        return failed;
                    }

                    audit.Add(Entry("user.updated", user, new { changes, provider = provider.Id }));
                }
            }

            if (audit.Count > 0)
            {
                var appended = await AuditTrail.AppendAsync(identityDb, audit, actor, clock.GetUtcNow(), ct);
                await identityDb.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                committed = appended;
            }

            return Result<PartnerGateUser>.Success(user);
        }, cancellationToken);

        if (committed.Count > 0)
        {
            await publisher.Publish(new AuditEventsCommitted(committed), cancellationToken);
        }

        return outcome;

        AuditEntry Entry(string action, PartnerGateUser user, object details) =>
            new(action, "User", user.Id.ToString(), partner.Id, System.Text.Json.JsonSerializer.Serialize(details, AuditJson));
    }

    private static readonly System.Text.Json.JsonSerializerOptions AuditJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static async Task<Result<PartnerGateUser>?> Check(Task<IdentityResult> operation)
    {
        var result = await operation;
        return result.Succeeded
            ? null
            : Result<PartnerGateUser>.Failure(Error.Validation("account.identity_refused", string.Join(" ", result.Errors.Select(e => e.Code))));
    }

    private Result<FederatedSignInOutcome> Refuse(PartnerIdentityProvider provider, string reason, string? email, string? subject, object? extra = null)
    {
        unitOfWork.Audit(FederatedSignIn.RefusedAuditAction, "PartnerIdentityProvider", provider.Id.ToString(), provider.PartnerId,
            new { reason, email = Truncate(email), subject = Truncate(subject), stage = "completion", detail = extra });
        return FederatedSignInOutcome.Refused(reason);
    }

    private static string? Truncate(string? value) => value is { Length: > MaximumClaimLength } ? value[..MaximumClaimLength] : value;

    private static string? Single(ClaimsIdentity identity, string type) => identity.FindFirst(type)?.Value;
}
