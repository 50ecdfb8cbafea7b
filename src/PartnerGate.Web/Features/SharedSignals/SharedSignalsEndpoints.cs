using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// The transmitter's HTTP surface (SSF 1.0): the configuration document, stream management, status, verification,
/// and the three delivery methods. Machine-to-machine JSON: no cookie, no antiforgery, no sign-in redirect — the
/// resource-server endpoints authenticate with <see cref="ResourceServerAuthentication"/> and answer 401 JSON.
/// </summary>
public static class SharedSignalsEndpoints
{
    private const int MaximumBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapSharedSignals(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(SharedSignalsProtocol.ConfigurationPath, Configuration).AllowAnonymous().DisableAntiforgery();

        var ssf = endpoints.MapGroup("/ssf").AllowAnonymous().DisableAntiforgery().AddEndpointFilter<ResourceServerAuthentication>();
        ssf.MapPost("/streams", CreateStream);
        ssf.MapGet("/streams", ListStreams);
        ssf.MapPatch("/streams", (HttpContext context, IMediator mediator) => UpdateStream(context, mediator, replace: false));
        ssf.MapPut("/streams", (HttpContext context, IMediator mediator) => UpdateStream(context, mediator, replace: true));
        ssf.MapDelete("/streams", DeleteStream);
        ssf.MapGet("/status", GetStatus);
        ssf.MapPost("/status", UpdateStatus);
        ssf.MapPost("/verify", Verify);
        ssf.MapGet("/streams/{streamId}/sse", (HttpContext context, string streamId, SseDelivery sse) => sse.HandleAsync(context, streamId));
        ssf.MapPost("/streams/{streamId}/poll", (HttpContext context, string streamId, PollDelivery poll) => poll.HandleAsync(context, streamId));
        return endpoints;
    }

    private static IResult Configuration(HttpContext context, SharedSignalsIssuer issuers)
    {
        var issuer = issuers.For(context);
        var baseUri = SharedSignalsIssuer.BaseUriOf(context.Request);
        return Results.Json(new Dictionary<string, object>
        {
            ["spec_version"] = "1_0",
            ["issuer"] = issuer.AbsoluteUri,
            ["jwks_uri"] = issuers.JwksUriFor(context).AbsoluteUri,
            ["delivery_methods_supported"] = SharedSignalsProtocol.DeliveryMethods,
            ["configuration_endpoint"] = new Uri(baseUri, "ssf/streams").AbsoluteUri,
            ["status_endpoint"] = new Uri(baseUri, "ssf/status").AbsoluteUri,
            ["verification_endpoint"] = new Uri(baseUri, "ssf/verify").AbsoluteUri,
            ["authorization_schemes"] = new[] { new Dictionary<string, string> { ["spec_urn"] = "urn:ietf:rfc:7617" } },
            ["default_subjects"] = "ALL",
            ["critical_subject_members"] = Array.Empty<string>(),
        });
    }

    private static async Task<IResult> CreateStream(HttpContext context, IMediator mediator)
    {
        var body = await ReadBodyAsync(context);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var request = body.Request!;
        var result = await mediator.Send(new CreateSsfStreamCommand(request.Method, request.EndpointUrl, request.AuthorizationHeader, request.EventsRequested, request.Description), context.RequestAborted);
        return result.IsSuccess
            ? Results.Json(StreamJson(result.Value, context), statusCode: StatusCodes.Status201Created)
            : Failure(result.Error!);
    }

    private static async Task<IResult> ListStreams(HttpContext context, IMediator mediator, [FromQuery(Name = "stream_id")] string? streamId)
    {
        var result = await mediator.Send(new ListSsfStreamsQuery(streamId), context.RequestAborted);
        if (!result.IsSuccess)
        {
            return Failure(result.Error!);
        }

        return streamId is null
            ? Results.Json(result.Value.Select(s => StreamJson(s, context)))
            : Results.Json(StreamJson(result.Value[0], context));
    }

    private static async Task<IResult> UpdateStream(HttpContext context, IMediator mediator, bool replace)
    {
        var body = await ReadBodyAsync(context);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var request = body.Request!;
        var result = await mediator.Send(
            new UpdateSsfStreamCommand(request.StreamId, replace, request.Method, request.EndpointUrl, request.AuthorizationHeader, request.EventsRequested, request.Description),
            context.RequestAborted);
        return result.IsSuccess ? Results.Json(StreamJson(result.Value, context)) : Failure(result.Error!);
    }

    private static async Task<IResult> DeleteStream(HttpContext context, IMediator mediator, [FromQuery(Name = "stream_id")] string? streamId)
    {
        var result = await mediator.Send(new DeleteSsfStreamCommand(streamId), context.RequestAborted);
        return result.IsSuccess ? Results.NoContent() : Failure(result.Error!);
    }

    private static async Task<IResult> GetStatus(HttpContext context, IMediator mediator, [FromQuery(Name = "stream_id")] string? streamId)
    {
        if (string.IsNullOrEmpty(streamId))
        {
            return Results.Json(new SharedSignalsError("invalid_request", "Give the stream_id."), statusCode: StatusCodes.Status400BadRequest);
        }

        var result = await mediator.Send(new ListSsfStreamsQuery(streamId), context.RequestAborted);
        return result.IsSuccess ? Results.Json(StatusJson(result.Value[0])) : Failure(result.Error!);
    }

    private static async Task<IResult> UpdateStatus(HttpContext context, IMediator mediator)
    {
        var body = await ReadBodyAsync(context);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var request = body.Request!;
        var result = await mediator.Send(new UpdateSsfStreamStatusCommand(request.StreamId, request.Status, request.Reason), context.RequestAborted);
        return result.IsSuccess ? Results.Json(StatusJson(result.Value)) : Failure(result.Error!);
    }

    private static async Task<IResult> Verify(HttpContext context, IMediator mediator, StreamVerification verification)
    {
        var body = await ReadBodyAsync(context);
        if (body.Error is not null)
        {
            return body.Error;
        }

        var request = body.Request!;
        if (string.IsNullOrEmpty(request.StreamId) || request.State is { Length: > 1000 })
        {
            return Results.Json(new SharedSignalsError("invalid_request", "Give the stream_id (and at most 1,000 characters of state)."), statusCode: StatusCodes.Status400BadRequest);
        }

        var stream = await mediator.Send(new ListSsfStreamsQuery(request.StreamId), context.RequestAborted);
        if (!stream.IsSuccess)
        {
            return Failure(stream.Error!);
        }

        await verification.RequestAsync(context, stream.Value[0], request.State, context.RequestAborted);
        return Results.NoContent();
    }

    public static Dictionary<string, object?> StreamJson(SsfStreamView stream, HttpContext context)
    {
        var baseUri = SharedSignalsIssuer.BaseUriOf(context.Request);
        var issuer = context.RequestServices.GetRequiredService<SharedSignalsIssuer>().For(context);
        var delivery = new Dictionary<string, object?>
        {
            ["method"] = stream.DeliveryMethod,
            ["endpoint_url"] = stream.DeliveryMethod switch
            {
                SharedSignalsProtocol.PollDelivery => new Uri(baseUri, $"ssf/streams/{Uri.EscapeDataString(stream.StreamId)}/poll").AbsoluteUri,
                SharedSignalsProtocol.SseDelivery => new Uri(baseUri, $"ssf/streams/{Uri.EscapeDataString(stream.StreamId)}/sse").AbsoluteUri,
                _ => stream.EndpointUrl,
            },
        };
        if (stream.DeliveryMethod == SharedSignalsProtocol.PushDelivery)
        {
            // The header itself is write-only: a stolen receiver credential must not be readable back.
            delivery["authorization_header_set"] = stream.HasAuthorizationHeader;
        }

        var json = new Dictionary<string, object?>
        {
            ["stream_id"] = stream.StreamId,
            ["iss"] = issuer.AbsoluteUri,
            ["aud"] = stream.Audience,
            ["events_supported"] = SharedSignalsProtocol.EventsSupported,
            ["events_requested"] = stream.EventsRequested,
            ["events_delivered"] = SharedSignalsProtocol.EventsDelivered(stream.EventsRequested),
            ["delivery"] = delivery,
            ["description"] = stream.Description,
        };
        if (stream.DeliveryMethod == SharedSignalsProtocol.PushDelivery && (stream.LastDeliveryError is not null || stream.LastDeliveryAt is not null))
        {
            json["last_delivery_error"] = stream.LastDeliveryError;
            json["last_delivery_at"] = stream.LastDeliveryAt;
        }

        return json;
    }

    private static Dictionary<string, object?> StatusJson(SsfStreamView stream) => new()
    {
        ["stream_id"] = stream.StreamId,
        ["status"] = stream.Status,
        ["reason"] = stream.StatusReason,
    };

    public static IResult Failure(Error error) => error.Kind switch
    {
        ErrorKind.NotFound => Results.Json(new SharedSignalsError("not_found", error.Message), statusCode: StatusCodes.Status404NotFound),
        ErrorKind.Conflict => Results.Json(new SharedSignalsError("conflict", error.Message), statusCode: StatusCodes.Status409Conflict),
        ErrorKind.Forbidden or ErrorKind.PolicyRefused => Results.Json(new SharedSignalsError("access_denied", error.Message), statusCode: StatusCodes.Status403Forbidden),
        _ => Results.Json(new SharedSignalsError("invalid_request", error.Message), statusCode: StatusCodes.Status400BadRequest),
    };

    private static IResult BadRequest(string description) =>
        Results.Json(new SharedSignalsError("invalid_request", description), statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The members of a stream request, read leniently in shape but strictly in type: a wrong type is a 400, never a 500.</summary>
    private sealed record StreamRequest(
        string? StreamId,
        string? Method,
        string? EndpointUrl,
        string? AuthorizationHeader,
        IReadOnlyList<string>? EventsRequested,
        string? Description,
        string? Status,
        string? Reason,
        string? State);

    private static async Task<(StreamRequest? Request, IResult? Error)> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaximumBodyBytes)
        {
            return (null, BadRequest("The request body is too large."));
        }

        JsonObject body;
        try
        {
            using var reader = new StreamReader(context.Request.Body);
            var buffer = new char[MaximumBodyBytes + 1];
            var read = await reader.ReadBlockAsync(buffer, context.RequestAborted);
            if (read > MaximumBodyBytes)
            {
                return (null, BadRequest("The request body is too large."));
            }

            if (JsonNode.Parse(new string(buffer, 0, read)) is not JsonObject parsed)
            {
                return (null, BadRequest("The body must be a JSON object."));
            }

            body = parsed;
        }
        catch (JsonException)
        {
            return (null, BadRequest("The body is not valid JSON."));
        }

        try
        {
            var delivery = body["delivery"];
            if (delivery is not null and not JsonObject)
            {
                return (null, BadRequest("delivery must be an object."));
            }

            IReadOnlyList<string>? events = null;
            if (body["events_requested"] is { } requested)
            {
                if (requested is not JsonArray array)
                {
                    return (null, BadRequest("events_requested must be an array of event type URIs."));
                }

                events = [.. array.Select(e => e?.GetValue<string>() ?? throw new InvalidOperationException())];
            }

            return (new StreamRequest(
                Text(body, "stream_id"),
                Text(delivery, "method"),
                Text(delivery, "endpoint_url"),
                Text(delivery, "authorization_header"),
                events,
                Text(body, "description"),
                Text(body, "status"),
                Text(body, "reason"),
                Text(body, "state")), null);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException)
        {
            return (null, BadRequest("A member has the wrong type: stream_id, status, reason, state, description and the delivery members are strings; events_requested is an array of strings."));
        }
    }

    private static string? Text(JsonNode? parent, string name) => parent?[name] is { } value ? value.GetValue<string>() : null;
}
