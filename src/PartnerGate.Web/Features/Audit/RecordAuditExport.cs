using FluentValidation;
using Mediator;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Audit;

/// <summary>
/// Records that someone exported the audit trail (format, filter, who; under the partner admin's partner when the
/// exporter is one) before the first byte leaves, so even an export that is cut off half-way is on the record.
/// Answers the partner scope the export must then be written with.
/// </summary>
[RequirePolicy(AuditAccess.ReaderPolicy)]
public sealed record RecordAuditExportCommand(AuditEventFilter Filter, AuditExportFormat Format) : ICommand<Result<AuditExportScope>>;

/// <summary>The partner whose events the export may contain; null: every event (an administrator).</summary>
public sealed record AuditExportScope(Guid? PartnerId);

public sealed class RecordAuditExportValidator : AbstractValidator<RecordAuditExportCommand>
{
    public RecordAuditExportValidator()
    {
        RuleFor(c => c.Format).IsInEnum();
        RuleFor(c => c.Filter).NotNull()
            .Must(filter => !filter.Problems().Any()).WithMessage(c => string.Join(" ", c.Filter.Problems()));
    }
}

public sealed class RecordAuditExportHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser)
    : ICommandHandler<RecordAuditExportCommand, Result<AuditExportScope>>
{
    public const string Action = "audit.exported";

    public ValueTask<Result<AuditExportScope>> Handle(RecordAuditExportCommand command, CancellationToken cancellationToken)
    {
        var scope = AuditAccess.PartnerScope(currentUser);
        var filter = command.Filter;
        unitOfWork.Audit(Action, "AuditTrail", scope?.ToString() ?? "all", scope, new
        {
            format = command.Format.ToString().ToLowerInvariant(),
            filter = new
            {
                from = filter.From, to = filter.To, actor = filter.Actor, partner = filter.PartnerId, action = filter.Action, target = filter.Target,
                fromSequence = filter.FromSequence, toSequence = filter.ToSequence,
            },
        });
        return ValueTask.FromResult<Result<AuditExportScope>>(new AuditExportScope(scope));
    }
}
