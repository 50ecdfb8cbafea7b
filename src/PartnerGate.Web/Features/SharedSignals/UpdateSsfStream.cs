using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// A resource server changes one of its streams: PATCH changes the members it sends (SSF 1.0 §8.1.1.3), PUT
/// replaces the receiver-supplied configuration (§8.1.1.4), so an absent description or authorization header is
/// cleared and absent events_requested means all supported events. The delivery position (cursor) is kept.
/// </summary>
[RequirePolicy(Policies.ApiClient)]
[ConcurrencyConflictMessage("The stream changed at the same moment; read it again and retry.")]
public sealed record UpdateSsfStreamCommand(
    string? StreamId,
    bool Replace,
    string? DeliveryMethod,
    string? EndpointUrl,
    string? AuthorizationHeader,
    IReadOnlyList<string>? EventsRequested,
    string? Description) : ICommand<Result<SsfStreamView>>;

public sealed class UpdateSsfStreamValidator : AbstractValidator<UpdateSsfStreamCommand>
{
    public UpdateSsfStreamValidator()
    {
        RuleFor(c => c.StreamId).NotEmpty().MaximumLength(64).WithName("stream_id").WithMessage("Give the stream_id of the stream to change.");
        RuleFor(c => c.DeliveryMethod).NotNull().When(c => c.Replace).WithName("delivery.method").WithMessage("A replacement (PUT) needs delivery.method.");
        // Which endpoint and header a push stream ends up with depends on the stored stream: the handler checks those.
        RuleFor(c => c.DeliveryMethod).Must(m => m is null || SharedSignalsProtocol.DeliveryMethods.Contains(m)).WithName("delivery.method")
            .WithMessage($"delivery.method must be one of {string.Join(", ", SharedSignalsProtocol.DeliveryMethods)}.");
        RuleFor(c => c.EndpointUrl).MaximumLength(2000).WithName("delivery.endpoint_url").WithMessage("delivery.endpoint_url can be at most 2,000 characters.");
        RuleFor(c => c.AuthorizationHeader).Must(SsfStreamRules.IsAcceptableAuthorizationHeader).WithName("delivery.authorization_header")
            .WithMessage(SsfStreamRules.AuthorizationHeaderMessage);
        SsfStreamRules.EventsRules(this, c => c.EventsRequested, c => c.Description);
    }
}

public sealed class UpdateSsfStreamHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, IDataProtectionProvider dataProtection, TimeProvider clock)
    : ICommandHandler<UpdateSsfStreamCommand, Result<SsfStreamView>>
{
    public async ValueTask<Result<SsfStreamView>> Handle(UpdateSsfStreamCommand command, CancellationToken cancellationToken)
    {
        var clientId = SsfStreamRules.ClientIdOf(currentUser);
        if (await unitOfWork.Db.SsfStreams.FindOwnAsync(command.StreamId, clientId, cancellationToken) is not { } stream)
        {
            return SsfStreamRules.StreamNotFound;
        }

        var method = command.DeliveryMethod ?? stream.DeliveryMethod;
        var isPush = method == SharedSignalsProtocol.PushDelivery;
        var endpoint = isPush ? command.EndpointUrl ?? (method == stream.DeliveryMethod ? stream.EndpointUrl : null) : null;
        if (isPush && !SsfStreamRules.IsAcceptablePushEndpoint(endpoint))
        {
            return Error.Validation("invalid_endpoint", "Push delivery needs delivery.endpoint_url: an absolute https URL (http only to a loopback address), without user info.");
        }

        if (!isPush && command.AuthorizationHeader is not null)
        {
            return Error.Validation("invalid_authorization_header", "delivery.authorization_header is only for push delivery.");
        }

        stream.DeliveryMethod = method;
        stream.EndpointUrl = endpoint;
        if (!isPush)
        {
            stream.ProtectedAuthorizationHeader = null;
        }
        else if (command.AuthorizationHeader is { } header)
        {
            stream.ProtectedAuthorizationHeader = dataProtection.AuthorizationHeaderProtector().Protect(header);
        }
        else if (command.Replace)
        {
            stream.ProtectedAuthorizationHeader = null;
        }

        if (command.EventsRequested is not null || command.Replace)
        {
            stream.EventsRequested = SsfStreamRules.JoinEvents(command.EventsRequested);
        }

        if (command.Description is not null || command.Replace)
        {
            stream.Description = command.Description;
        }

        // A changed endpoint gets a fresh chance: the previous receiver's back-off says nothing about the new one.
        stream.NextAttemptAt = null;
        stream.UpdatedAt = clock.GetUtcNow();
        stream.Version = Guid.NewGuid();
        unitOfWork.Audit("ssf.stream_updated", "SsfStream", stream.Id, partnerId: null, SsfStreamRules.AuditDetails(stream));
        return SsfStreamView.From(stream);
    }
}

/// <summary>
/// A resource server enables, pauses or disables one of its streams (SSF 1.0 §8.1.2.2). Paused streams keep their
/// events for later; a disabled stream drops them, so re-enabling it starts at the current end of the feed.
/// </summary>
[RequirePolicy(Policies.ApiClient)]
[ConcurrencyConflictMessage("The stream changed at the same moment; read it again and retry.")]
public sealed record UpdateSsfStreamStatusCommand(string? StreamId, string? Status, string? Reason) : ICommand<Result<SsfStreamView>>;

public sealed class UpdateSsfStreamStatusValidator : AbstractValidator<UpdateSsfStreamStatusCommand>
{
    public UpdateSsfStreamStatusValidator()
    {
        RuleFor(c => c.StreamId).NotEmpty().MaximumLength(64).WithName("stream_id").WithMessage("Give the stream_id of the stream to change.");
        RuleFor(c => c.Status).Must(s => s is not null && SharedSignalsProtocol.Statuses.Contains(s)).WithName("status")
            .WithMessage("status must be enabled, paused or disabled.");
        RuleFor(c => c.Reason).MaximumLength(500).WithName("reason").WithMessage("reason can be at most 500 characters.");
    }
}

public sealed class UpdateSsfStreamStatusHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<UpdateSsfStreamStatusCommand, Result<SsfStreamView>>
{
    public async ValueTask<Result<SsfStreamView>> Handle(UpdateSsfStreamStatusCommand command, CancellationToken cancellationToken)
    {
        var clientId = SsfStreamRules.ClientIdOf(currentUser);
        if (await unitOfWork.Db.SsfStreams.FindOwnAsync(command.StreamId, clientId, cancellationToken) is not { } stream)
        {
            return SsfStreamRules.StreamNotFound;
        }

        var before = stream.Status;
        if (before == SharedSignalsProtocol.StatusDisabled && command.Status != SharedSignalsProtocol.StatusDisabled)
        {
            stream.Cursor = await unitOfWork.Db.SecurityEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        }

        stream.Status = command.Status!;
        stream.StatusReason = command.Reason;
        stream.NextAttemptAt = null;
        stream.UpdatedAt = clock.GetUtcNow();
        stream.Version = Guid.NewGuid();
        unitOfWork.Audit("ssf.stream_updated", "SsfStream", stream.Id, partnerId: null, new { client_id = clientId, before, after = stream.Status, reason = stream.StatusReason });
        return SsfStreamView.From(stream);
    }
}
