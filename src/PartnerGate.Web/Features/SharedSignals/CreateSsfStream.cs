using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// A resource server opens an event stream for itself (SSF 1.0 §8.1.1.1). Its audience is its own client_id. Push
/// and poll streams start at the current end of the feed; a receiver that needs the current state uses the SSE
/// channel, whose snapshot gives it.
/// </summary>
[RequirePolicy(Policies.ApiClient)]
public sealed record CreateSsfStreamCommand(
    string? DeliveryMethod,
    string? EndpointUrl,
    string? AuthorizationHeader,
    IReadOnlyList<string>? EventsRequested,
    string? Description) : ICommand<Result<SsfStreamView>>;

public sealed class CreateSsfStreamValidator : AbstractValidator<CreateSsfStreamCommand>
{
    public CreateSsfStreamValidator()
    {
        SsfStreamRules.DeliveryRules(this, c => c.DeliveryMethod, c => c.EndpointUrl, c => c.AuthorizationHeader);
        SsfStreamRules.EventsRules(this, c => c.EventsRequested, c => c.Description);
    }
}

public sealed class CreateSsfStreamHandler(
    IUnitOfWork unitOfWork,
    ICurrentUser currentUser,
    IDataProtectionProvider dataProtection,
    IOptionsMonitor<SharedSignalsOptions> options,
    TimeProvider clock) : ICommandHandler<CreateSsfStreamCommand, Result<SsfStreamView>>
{
    public async ValueTask<Result<SsfStreamView>> Handle(CreateSsfStreamCommand command, CancellationToken cancellationToken)
    {
        var clientId = SsfStreamRules.ClientIdOf(currentUser);
        var db = unitOfWork.Db;
        if (await db.SsfStreams.CountAsync(s => s.ClientId == clientId, cancellationToken) >= options.CurrentValue.MaxStreamsPerClient)
        {
            return Error.Conflict("too_many_streams", $"A resource server may hold at most {options.CurrentValue.MaxStreamsPerClient} streams; delete one first.");
        }

        var now = clock.GetUtcNow();
        var isPush = command.DeliveryMethod == SharedSignalsProtocol.PushDelivery;
        var stream = new SsfStream
        {
            Id = "ssf_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ClientId = clientId,
            Audience = clientId,
            Description = command.Description,
            DeliveryMethod = command.DeliveryMethod!,
            EndpointUrl = isPush ? command.EndpointUrl : null,
            ProtectedAuthorizationHeader = isPush && command.AuthorizationHeader is { } header
                ? dataProtection.AuthorizationHeaderProtector().Protect(header)
                : null,
            EventsRequested = SsfStreamRules.JoinEvents(command.EventsRequested),
            Status = SharedSignalsProtocol.StatusEnabled,
            Cursor = await db.SecurityEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0,
            CreatedAt = now,
            UpdatedAt = now,
            Version = Guid.NewGuid(),
        };
        db.SsfStreams.Add(stream);
        unitOfWork.Audit("ssf.stream_created", "SsfStream", stream.Id, partnerId: null, SsfStreamRules.AuditDetails(stream));
        return SsfStreamView.From(stream);
    }
}
