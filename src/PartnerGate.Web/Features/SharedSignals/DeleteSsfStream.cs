using FluentValidation;
using Mediator;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>A resource server deletes one of its streams (SSF 1.0 §8.1.1.5); another client's stream does not exist for it.</summary>
[RequirePolicy(Policies.ApiClient)]
public sealed record DeleteSsfStreamCommand(string? StreamId) : ICommand<Result>;

public sealed class DeleteSsfStreamValidator : AbstractValidator<DeleteSsfStreamCommand>
{
    public DeleteSsfStreamValidator() =>
        RuleFor(c => c.StreamId).NotEmpty().MaximumLength(64).WithName("stream_id").WithMessage("Give the stream_id of the stream to delete.");
}

public sealed class DeleteSsfStreamHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser) : ICommandHandler<DeleteSsfStreamCommand, Result>
{
    public async ValueTask<Result> Handle(DeleteSsfStreamCommand command, CancellationToken cancellationToken)
    {
        var clientId = SsfStreamRules.ClientIdOf(currentUser);
        if (await unitOfWork.Db.SsfStreams.FindOwnAsync(command.StreamId, clientId, cancellationToken) is not { } stream)
        {
            return SsfStreamRules.StreamNotFound;
        }

        unitOfWork.Db.SsfStreams.Remove(stream);
        unitOfWork.Audit("ssf.stream_deleted", "SsfStream", stream.Id, partnerId: null, new { client_id = clientId, method = stream.DeliveryMethod });
        return Result.Success();
    }
}
