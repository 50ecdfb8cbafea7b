using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Features.Notifications;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

/// <summary>What renewing a certification changed for the partner's grants.</summary>
public sealed record CertificationRenewal(int GrantsResumed, int GrantsExpired);

/// <summary>
/// Records a partner's certification (a new one, or a renewal that replaces the one of that name) and applies posture
/// to the partner at once: grants suspended because it lapsed resume now, not at the next sweep (invariant 8). The partner's
/// admins (and each holder) get mail in the same transaction naming what resumed and what expired because its window had passed.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record RenewCertificationCommand(Guid PartnerId, string Name, DateTimeOffset? ValidUntil) : ICommand<Result<CertificationRenewal>>;

public sealed class RenewCertificationValidator : AbstractValidator<RenewCertificationCommand>
{
    public RenewCertificationValidator()
    {
        RuleFor(c => c.PartnerId).NotEmpty().WithMessage("Choose a partner.");
        RuleFor(c => c.Name).NotEmpty().WithMessage("Name the certification, e.g. TISAX or ISO 27001.")
            .MaximumLength(100).WithMessage("The certification name can be at most 100 characters.");
        RuleFor(c => c.ValidUntil).NotNull().WithMessage("Say until when the certification is valid.");
    }
}

public sealed class RenewCertificationHandler(IUnitOfWork unitOfWork, PostureMail postureMail, TimeProvider clock)
    : ICommandHandler<RenewCertificationCommand, Result<CertificationRenewal>>
{
    /// <summary>A partner's suspended grants are resumed in one go, however many there are.</summary>
    private const int PartnerBatch = 10_000;

    public async ValueTask<Result<CertificationRenewal>> Handle(RenewCertificationCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (command.ValidUntil is not { } validUntil || validUntil <= now)
        {
            return Error.Validation("certification.valid_until_past", "The certification must be valid until a moment in the future.");
        }

        var partner = await unitOfWork.Db.Partners.SingleOrDefaultAsync(p => p.Id == command.PartnerId, cancellationToken);
        if (partner is null)
        {
            return Error.NotFound("partner_not_found", "That partner does not exist.");
        }

        var name = command.Name.Trim();
        var previous = partner.Certifications.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))?.ValidUntil;
        var added = partner.AddCertification(name, validUntil);
        if (!added.IsSuccess)
        {
            return added.Error!;
        }

        unitOfWork.Audit(previous is null ? "partner.certification_added" : "partner.certification_renewed", "Partner", partner.Id.ToString(), partner.Id,
            new { certification = name, validUntil, previousValidUntil = previous });

        // The same pass the sweep runs, on the partner just changed (this context tracks it with the new certification).
        var posture = await GrantPosture.ApplyAsync(unitOfWork, postureMail, now, partner.Id, PartnerBatch, cancellationToken);
        return new CertificationRenewal(posture.GrantsResumed, posture.GrantsExpired);
    }
}
