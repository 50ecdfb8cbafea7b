using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>
/// Follows the portal's revocation feed: reads the transmitter configuration, finds (or creates) this resource
/// server's event stream, and keeps it open, applying every verified SET. After a disconnect it reconnects with
/// back-off, sending the last event id so the portal replays everything missed.
/// </summary>
internal sealed partial class RevocationFeedClient(
    IOptions<PartnerGateResourceServerOptions> options,
    IOptionsMonitor<JwtBearerOptions> jwtBearerOptions,
    RevocationFeedMonitor monitor,
    FeedBackchannel backchannel,
    TimeProvider time,
    ILogger<RevocationFeedClient> logger) : BackgroundService
{
    public const string SseDeliveryMethod = "urn:partnergate:ssf:delivery:sse";

    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!monitor.Enabled)
        {
            return;
        }

        await Task.Yield();
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await FollowAsync(stoppingToken))
                {
                    delay = FirstRetryDelay;
                }

                LogStreamEnded(logger);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong (network, portal, a cut stream, discovery), the loop must survive: an exception
                // escaping a BackgroundService stops the whole API. Until the next sync the silence bound applies.
                LogFeedFailure(logger, exception.GetType().Name, exception is FeedException ? exception.Message : SafeMessage(exception));
            }
            finally
            {
                monitor.SetConnected(false);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = delay * 2 > LongestRetryDelay ? LongestRetryDelay : delay * 2;
        }
    }

    /// <summary>One connection: discovery, stream, events until the stream ends. True when it synced (the back-off starts over).</summary>
    private async Task<bool> FollowAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var configurationManager = jwtBearerOptions.Get(PartnerGateResourceServerDefaults.AuthenticationScheme).ConfigurationManager
            ?? throw new FeedException("JwtBearer has no configuration manager for the PartnerGate scheme.");
        var discovery = await configurationManager.GetConfigurationAsync(stoppingToken);
        var transmitter = await ReadTransmitterAsync(settings.Authority.TrimEnd('/'), discovery.Issuer, stoppingToken);
        var stream = await FindOrCreateStreamAsync(transmitter, stoppingToken);

        using var request = new HttpRequestMessage(HttpMethod.Get, stream.EndpointUrl);
        request.Headers.Authorization = backchannel.Authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        var cursor = monitor.Cursor;
        if (cursor is { } lastEventId)
        {
            request.Headers.Add("Last-Event-ID", lastEventId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stoppingToken, streaming: true);
        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            throw new FeedException($"The event stream answered {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}.");
        }

        monitor.SetConnected(true);
        LogConnected(logger, stream.StreamId, cursor);

        // Without a cursor the portal sends a snapshot of the current state; it replaces whatever is known.
        var snapshot = cursor is null;
        if (snapshot)
        {
            monitor.State.BeginSnapshot();
        }

        // A connection that stays silent past the bound is dead even if TCP has not noticed: drop it and reconnect.
        using var idle = new CancellationTokenSource(settings.RevocationFeed.SilenceBound, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, idle.Token);
        await using var body = await response.Content.ReadAsStreamAsync(stoppingToken);
        using var reader = new StreamReader(body, Encoding.UTF8);
        var parser = new SseParser();
        var synced = false;
        while (await reader.ReadLineAsync(linked.Token) is { } line)
        {
            idle.CancelAfter(settings.RevocationFeed.SilenceBound);
            if (parser.Feed(line) is not { } message)
            {
                continue;
            }

            switch (message.Event)
            {
                case "set":
                    await ApplySetAsync(message, configurationManager, discovery, stream.Audience, snapshot, stoppingToken);
                    break;
                case "synced":
                    var syncedCursor = ReadCursor(message.Data);
                    if (snapshot)
                    {
                        monitor.State.CompleteSnapshot();
                    }

                    monitor.MarkSynced(syncedCursor, afterSnapshot: snapshot);
                    snapshot = false;
                    synced = true;
                    var forgotten = monitor.State.ForgetEndedGrants(time.GetUtcNow());
                    LogSynced(logger, syncedCursor, monitor.RevokedGrants, monitor.DisabledClients, monitor.SuspendedPartners, forgotten);
                    break;
                case "heartbeat" when synced:
                    monitor.Heard();
                    monitor.State.ForgetEndedGrants(time.GetUtcNow());
                    break;
                case "reset":
                    // The cursor sent is older than the events the portal keeps: a fresh snapshot follows.
                    LogReset(logger, cursor);
                    monitor.State.BeginSnapshot();
                    snapshot = true;
                    break;
                default:
                    break;
            }
        }

        return synced;
    }

    private async Task ApplySetAsync(
        SseMessage message,
        Microsoft.IdentityModel.Protocols.IConfigurationManager<OpenIdConnectConfiguration> configurationManager,
        OpenIdConnectConfiguration discovery,
        string audience,
        bool snapshot,
        CancellationToken cancellationToken)
    {
        var token = message.Data.Trim();
        var result = await SecurityEventTokenValidator.ValidateAsync(token, discovery.Issuer, audience, discovery.SigningKeys);
        if (result.UnknownKey)
        {
            // The portal may have rotated its key since the JWKS was read: refresh it (shared with JwtBearer) and try once more.
            configurationManager.RequestRefresh();
            var refreshed = await configurationManager.GetConfigurationAsync(cancellationToken);
            result = await SecurityEventTokenValidator.ValidateAsync(token, refreshed.Issuer, audience, refreshed.SigningKeys);
        }

        if (!result.IsValid)
        {
            // Ignored and not heard: everything after it on this connection is distrusted too, so the stream is
            // reopened from the last verified position and the event, if genuine, is replayed once the keys agree.
            LogInvalidSet(logger, message.LastEventId, result.Failure);
            throw new FeedException("A SET failed verification; reconnecting from the last verified event.");
        }

        monitor.Heard();
        try
        {
            if (FeedEvent.FromPayload(result.Payload!.Value) is { } feedEvent)
            {
                monitor.State.Apply(feedEvent);
            }
        }
        catch (FormatException exception)
        {
            // Signed by the portal but not understood: nothing can be applied; it is reported so the mismatch is found.
            LogMalformedSet(logger, message.LastEventId, exception.Message);
        }

        // Snapshot SETs all carry the snapshot's cursor; only synced says the snapshot is complete.
        if (!snapshot && long.TryParse(message.LastEventId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
        {
            monitor.Advance(sequence);
        }
    }

    private async Task<TransmitterConfiguration> ReadTransmitterAsync(string authority, string issuer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, authority + "/.well-known/ssf-configuration");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new FeedException($"The transmitter configuration answered {(int)response.StatusCode}.");
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = document.RootElement;
        var transmitterIssuer = String(root, "issuer");
        if (!string.Equals(transmitterIssuer, issuer, StringComparison.Ordinal))
        {
            throw new FeedException($"The transmitter's issuer '{transmitterIssuer}' is not the discovery issuer '{issuer}'.");
        }

        if (!root.TryGetProperty("delivery_methods_supported", out var methods) || methods.ValueKind != JsonValueKind.Array
            || !methods.EnumerateArray().Any(m => m.ValueKind == JsonValueKind.String && m.GetString() == SseDeliveryMethod))
        {
            throw new FeedException($"The transmitter does not offer {SseDeliveryMethod}.");
        }

        var endpoint = String(root, "configuration_endpoint");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var configurationEndpoint) || !IsSafe(configurationEndpoint))
        {
            throw new FeedException($"The transmitter's configuration endpoint '{endpoint}' is not an https address (or http on loopback).");
        }

        return new TransmitterConfiguration(configurationEndpoint);
    }

    private async Task<StreamConfiguration> FindOrCreateStreamAsync(TransmitterConfiguration transmitter, CancellationToken cancellationToken)
    {
        using (var list = new HttpRequestMessage(HttpMethod.Get, transmitter.ConfigurationEndpoint))
        {
            list.Headers.Authorization = backchannel.Authorization;
            using var response = await SendAsync(list, HttpCompletionOption.ResponseContentRead, cancellationToken);
            EnsureAuthenticated(response);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var streams = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
                var existing = streams.FirstOrDefault(IsSseStream);
                if (existing.ValueKind == JsonValueKind.Object)
                {
                    return Stream(existing);
                }
            }
            else if (response.StatusCode != HttpStatusCode.NotFound)
            {
                throw new FeedException($"Listing the event streams answered {(int)response.StatusCode}.");
            }
        }

        using var create = new HttpRequestMessage(HttpMethod.Post, transmitter.ConfigurationEndpoint)
        {
            Content = JsonContent.Create(new
            {
                delivery = new { method = SseDeliveryMethod },
                events_requested = new[] { FeedEvent.SessionRevoked, FeedEvent.TokenClaimsChange },
                description = "PartnerGate.ResourceServer revocation feed",
            }),
        };
        create.Headers.Authorization = backchannel.Authorization;
        using var created = await SendAsync(create, HttpCompletionOption.ResponseContentRead, cancellationToken);
        EnsureAuthenticated(created);
        if (created.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            throw new FeedException($"Creating the event stream answered {(int)created.StatusCode}.");
        }

        using var createdDocument = JsonDocument.Parse(await created.Content.ReadAsStringAsync(cancellationToken));
        var stream = Stream(createdDocument.RootElement);
        LogStreamCreated(logger, stream.StreamId);
        return stream;
    }

    private static bool IsSseStream(JsonElement stream) =>
        stream.ValueKind == JsonValueKind.Object && stream.TryGetProperty("delivery", out var delivery) && delivery.ValueKind == JsonValueKind.Object
        && String(delivery, "method") == SseDeliveryMethod;

    private static StreamConfiguration Stream(JsonElement stream)
    {
        if (!IsSseStream(stream))
        {
            throw new FeedException("The transmitter answered with a stream that is not an SSE stream.");
        }

        var endpoint = String(stream.GetProperty("delivery"), "endpoint_url");
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUrl) || !IsSafe(endpointUrl))
        {
            throw new FeedException($"The stream's endpoint '{endpoint}' is not an https address (or http on loopback).");
        }

        // aud may be one string or an array (RFC 7519); the SETs of this stream carry it.
        var audience = stream.TryGetProperty("aud", out var aud)
            ? aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Select(a => a.GetString()).FirstOrDefault() : aud.GetString()
            : null;
        if (string.IsNullOrEmpty(audience))
        {
            throw new FeedException("The stream configuration names no aud.");
        }

        return new StreamConfiguration(String(stream, "stream_id") ?? string.Empty, audience, endpointUrl);
    }

    private static void EnsureAuthenticated(HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new FeedException($"The portal refused this resource server's credentials ({(int)response.StatusCode}): check ClientId and ClientSecret.");
        }
    }

    // The Basic credentials go only to https, or to http on loopback (development and tests).
    private static bool IsSafe(Uri address) => address.Scheme == Uri.UriSchemeHttps || (address.Scheme == Uri.UriSchemeHttp && address.IsLoopback);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken, bool streaming = false)
    {
        if (streaming)
        {
            // Only the response headers are bounded; the body is read for as long as the stream stays alive.
            using var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            headersTimeout.CancelAfter(FeedBackchannel.RequestTimeout);
            return await backchannel.Http.SendAsync(request, completion, headersTimeout.Token);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FeedBackchannel.RequestTimeout);
        var response = await backchannel.Http.SendAsync(request, completion, timeout.Token);
        await response.Content.LoadIntoBufferAsync(timeout.Token);
        return response;
    }

    private static long ReadCursor(string data)
    {
        using var document = JsonDocument.Parse(data);
        return document.RootElement.TryGetProperty("cursor", out var cursor) && cursor.TryGetInt64(out var value) && value >= 0
            ? value
            : throw new FeedException("A synced message carries no cursor.");
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // Exception messages of the HTTP stack name addresses and status codes, never credentials or tokens.
    private static string SafeMessage(Exception exception) => exception.Message;

    [LoggerMessage(Level = LogLevel.Information, Message = "Revocation feed connected to stream {StreamId} (last event id {Cursor}).")]
    private static partial void LogConnected(ILogger logger, string streamId, long? cursor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revocation feed created stream {StreamId}.")]
    private static partial void LogStreamCreated(ILogger logger, string streamId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revocation feed synced at {Cursor}: {Grants} revoked grants, {Clients} disabled clients, {Partners} suspended partners ({Forgotten} ended grants forgotten).")]
    private static partial void LogSynced(ILogger logger, long cursor, int grants, int clients, int partners, int forgotten);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation feed reset: last event id {Cursor} is older than the portal keeps; a snapshot follows.")]
    private static partial void LogReset(ILogger logger, long? cursor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation feed stream ended; reconnecting.")]
    private static partial void LogStreamEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation feed failed ({Kind}: {Reason}); reconnecting.")]
    private static partial void LogFeedFailure(ILogger logger, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revocation feed ignored a SET with event id {EventId} that failed verification ({Failure}).")]
    private static partial void LogInvalidSet(ILogger logger, string? eventId, string? failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "Revocation feed could not read a verified SET with event id {EventId}: {Reason}")]
    private static partial void LogMalformedSet(ILogger logger, string? eventId, string reason);

    private sealed record TransmitterConfiguration(Uri ConfigurationEndpoint);

    private sealed record StreamConfiguration(string StreamId, string Audience, Uri EndpointUrl);
}

/// <summary>The transmitter answered something the feed cannot follow; the client reconnects after back-off.</summary>
internal sealed class FeedException(string message) : Exception(message);
