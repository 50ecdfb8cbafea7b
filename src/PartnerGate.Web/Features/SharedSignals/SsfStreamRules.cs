using System.Net;
using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>A stream as its owner sees it: never the push authorization header itself, only whether one is set.</summary>
public sealed record SsfStreamView(
    string StreamId,
    string Audience,
    string? Description,
    string DeliveryMethod,
    string? EndpointUrl,
    bool HasAuthorizationHeader,
    IReadOnlyList<string> EventsRequested,
    string Status,
    string? StatusReason,
    long Cursor,
    string? LastDeliveryError,
    DateTimeOffset? LastDeliveryAt)
{
    public static SsfStreamView From(SsfStream stream) => new(
        stream.Id,
        stream.Audience,
        stream.Description,
        stream.DeliveryMethod,
        stream.DeliveryMethod == SharedSignalsProtocol.PushDelivery ? stream.EndpointUrl : null,
        stream.ProtectedAuthorizationHeader is not null,
        stream.EventsRequested.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        stream.Status,
        stream.StatusReason,
        stream.Cursor,
        stream.LastDeliveryError,
        stream.LastDeliveryAt);
}

/// <summary>Rules every stream's delivery settings obey, on create and on update.</summary>
public static class SsfStreamRules
{
    public const int MaximumEventTypes = 10;
    public const int MaximumEventTypeLength = 200;
    public const int MaximumAuthorizationHeaderLength = 2000;
    public const int MaximumDescriptionLength = 500;

    /// <summary>The purpose the push authorization header is protected under; a key for anything else cannot read it.</summary>
    public const string AuthorizationHeaderPurpose = "PartnerGate.SharedSignals.PushAuthorizationHeader.v1";

    public static IDataProtector AuthorizationHeaderProtector(this IDataProtectionProvider provider) =>
        provider.CreateProtector(AuthorizationHeaderPurpose);

    /// <summary>The resource server the command runs as (see <see cref="ResourceServerAuthentication"/>).</summary>
    public static string ClientIdOf(ICurrentUser user) =>
        user.Principal.FindFirstValue(PartnerGateClaims.ClientId) ?? throw new InvalidOperationException("Stream commands run as a resource-server client.");

    public static readonly Error StreamNotFound = Error.NotFound("stream_not_found", "You have no stream with that stream_id.");

    /// <summary>The client's own stream of that id, or null: another client's stream does not exist for it.</summary>
    public static Task<SsfStream?> FindOwnAsync(this IQueryable<SsfStream> streams, string? streamId, string clientId, CancellationToken cancellationToken) =>
        streams.SingleOrDefaultAsync(s => s.Id == streamId && s.ClientId == clientId, cancellationToken);

    /// <summary>What the audit trail records of a stream: never the authorization header, only whether one is set.</summary>
    public static object AuditDetails(SsfStream stream) => new
    {
        client_id = stream.ClientId,
        method = stream.DeliveryMethod,
        endpoint_url = stream.EndpointUrl,
        authorization_header_set = stream.ProtectedAuthorizationHeader is not null,
        events_requested = stream.EventsRequested,
        status = stream.Status,
    };

    /// <summary>
    /// The caller's stream for a delivery request (SSE, poll): 404 when it has none of that id, 409 when the stream is
    /// delivered another way or is not in a state that delivers.
    /// </summary>
    public static async Task<(SsfStream? Stream, IResult? Refusal)> FindForDeliveryAsync(
        PartnerGateDbContext db, HttpContext context, string streamId, string method, IReadOnlyCollection<string> deliveringStatuses)
    {
        var stream = await db.SsfStreams.AsNoTracking().FindOwnAsync(streamId, ResourceServerAuthentication.ClientIdOf(context), context.RequestAborted);
        if (stream is null)
        {
            return (null, Results.Json(new SharedSignalsError("not_found", StreamNotFound.Message), statusCode: StatusCodes.Status404NotFound));
        }

        return stream.DeliveryMethod == method && deliveringStatuses.Contains(stream.Status)
            ? (stream, null)
            : (null, Results.Json(new SharedSignalsError("invalid_request", $"This stream is not a {string.Join(" or ", deliveringStatuses)} {method} stream."), statusCode: StatusCodes.Status409Conflict));
    }

    /// <summary>
    /// RFC 8935 pushes carry bearer credentials: https only, except to the receiver's own machine (loopback), where
    /// there is no network to protect.
    /// </summary>
    public static bool IsAcceptablePushEndpoint(string? endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.UserInfo)
        && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)));

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    public static readonly string AuthorizationHeaderMessage =
        $"delivery.authorization_header must be a single line of at most {MaximumAuthorizationHeaderLength:N0} characters.";

    public static bool IsAcceptableAuthorizationHeader(string? header) =>
        header is null || (header.Length is > 0 and <= MaximumAuthorizationHeaderLength && !header.Any(char.IsControl));

    public static string JoinEvents(IReadOnlyList<string>? requested) =>
        string.Join(' ', (requested ?? SharedSignalsProtocol.EventsSupported).Distinct(StringComparer.Ordinal));

    public static void DeliveryRules<T>(AbstractValidator<T> validator, Func<T, string?> method, Func<T, string?> endpoint, Func<T, string?> authorizationHeader)
    {
        validator.RuleFor(c => method(c)).Must(m => m is not null && SharedSignalsProtocol.DeliveryMethods.Contains(m))
            .WithName("delivery.method")
            .WithMessage($"delivery.method must be one of {string.Join(", ", SharedSignalsProtocol.DeliveryMethods)}.");
        validator.RuleFor(c => endpoint(c)).Must(IsAcceptablePushEndpoint)
            .When(c => method(c) == SharedSignalsProtocol.PushDelivery)
            .WithName("delivery.endpoint_url")
            .WithMessage("Push delivery needs delivery.endpoint_url: an absolute https URL (http only to a loopback address), without user info.");
        validator.RuleFor(c => endpoint(c)).MaximumLength(2000).WithName("delivery.endpoint_url").WithMessage("delivery.endpoint_url can be at most 2,000 characters.");
        validator.RuleFor(c => authorizationHeader(c)).Null()
            .When(c => method(c) != SharedSignalsProtocol.PushDelivery)
            .WithName("delivery.authorization_header")
            .WithMessage("delivery.authorization_header is only for push delivery.");
        validator.RuleFor(c => authorizationHeader(c)).Must(IsAcceptableAuthorizationHeader)
            .WithName("delivery.authorization_header")
            .WithMessage(AuthorizationHeaderMessage);
    }

    public static void EventsRules<T>(AbstractValidator<T> validator, Func<T, IReadOnlyList<string>?> events, Func<T, string?> description)
    {
        validator.RuleFor(c => events(c)).Must(e => e is null || (e.Count <= MaximumEventTypes && e.All(t => t is { Length: > 0 and <= MaximumEventTypeLength } && !t.Contains(' ', StringComparison.Ordinal))))
            .WithName("events_requested")
            .WithMessage($"events_requested must be at most {MaximumEventTypes} event type URIs.");
        validator.RuleFor(c => description(c)).MaximumLength(MaximumDescriptionLength).WithName("description")
            .WithMessage($"description can be at most {MaximumDescriptionLength} characters.");
    }
}
