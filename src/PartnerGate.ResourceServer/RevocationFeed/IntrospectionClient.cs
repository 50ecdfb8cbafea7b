using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>
/// Asks the portal's introspection endpoint (RFC 7662) whether a token is still active, while the feed cannot
/// answer. A positive answer is reused for at most <see cref="PositiveAnswerLifetime"/> and never past the token's
/// <c>exp</c>, so a revocation shows within that time; a negative or failed answer is never reused.
/// </summary>
internal sealed partial class IntrospectionClient(
    // Read when needed, not injected: JwtBearer's options are post-configured with the guard that holds this client.
    IServiceProvider services,
    FeedBackchannel backchannel,
    TimeProvider time,
    ILogger<IntrospectionClient> logger)
{
    public static readonly TimeSpan PositiveAnswerLifetime = TimeSpan.FromSeconds(1);

    // Keyed by the token itself: it stays in memory only (never logged) and at most a second.
    private readonly ConcurrentDictionary<string, long> activeUntil = new(StringComparer.Ordinal);

    /// <summary>True: active; false: inactive; null: the portal could not be asked.</summary>
    public async ValueTask<bool?> IsActiveAsync(string token, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (activeUntil.TryGetValue(token, out var until) && now.UtcTicks < until)
        {
            return true;
        }

        bool active;
        try
        {
            var configurationManager = services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(PartnerGateResourceServerDefaults.AuthenticationScheme).ConfigurationManager;
            var discovery = configurationManager is null ? null : await configurationManager.GetConfigurationAsync(cancellationToken);
            if (string.IsNullOrEmpty(discovery?.IntrospectionEndpoint))
            {
                LogIntrospectionFailed(logger, "the discovery document names no introspection_endpoint");
                return null;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, discovery.IntrospectionEndpoint)
            {
                Content = new FormUrlEncodedContent([new("token", token), new("token_type_hint", "access_token")]),
            };
            request.Headers.Authorization = backchannel.Authorization;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(FeedBackchannel.RequestTimeout);
            using var response = await backchannel.Http.SendAsync(request, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                LogIntrospectionFailed(logger, $"the endpoint answered {(int)response.StatusCode}");
                return null;
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(timeout.Token));
            active = document.RootElement.TryGetProperty("active", out var value) && value.ValueKind == JsonValueKind.True;
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or OperationCanceledException or InvalidOperationException
            && !cancellationToken.IsCancellationRequested)
        {
            LogIntrospectionFailed(logger, exception.GetType().Name);
            return null;
        }

        if (!active)
        {
            activeUntil.TryRemove(token, out _);
            return false;
        }

        var cacheUntil = now + PositiveAnswerLifetime < expires ? now + PositiveAnswerLifetime : expires;
        activeUntil[token] = cacheUntil.UtcTicks;
        if (activeUntil.Count > 10_000)
        {
            ForgetExpired(now);
        }

        return true;
    }

    private void ForgetExpired(DateTimeOffset now)
    {
        foreach (var (token, until) in activeUntil)
        {
            if (until <= now.UtcTicks)
            {
                activeUntil.TryRemove(new KeyValuePair<string, long>(token, until));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Introspection fallback failed ({Reason}); the token is refused.")]
    private static partial void LogIntrospectionFailed(ILogger logger, string reason);
}
