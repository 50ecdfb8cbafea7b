using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Mediator;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Live;
using PartnerGate.Web.Infrastructure.Security;
using StackExchange.Redis;

namespace PartnerGate.Web.Infrastructure.ScaleOut;

/// <summary>
/// <c>ScaleOut:*</c>. Nodes of one deployment share a channel prefix; deployments that share a Redis server keep
/// apart by giving each its own.
/// </summary>
public sealed partial class ScaleOutOptions
{
    public const string Section = "ScaleOut";
    public const string ConnectionStringName = "Redis";

    public string ChannelPrefix { get; set; } = "partnergate";

    internal static bool IsValidPrefix(string? prefix) => prefix is not null && PrefixPattern().IsMatch(prefix);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    private static partial Regex PrefixPattern();
}

/// <summary>
/// Makes several nodes behind one address behave as one (DESIGN.md, scale-out), over Redis pub/sub when
/// <c>ConnectionStrings:Redis</c> is set:
/// <list type="bullet">
/// <item>a live update committed on one node (an approval, a revocation, a review decision) reaches the open
/// circuits of every node, so node B's inbox shows node A's approval;</item>
/// <item>a commit that put events on the revocation feed wakes every node's feed at once, instead of at its next
/// database poll (<c>SharedSignals:PollMilliseconds</c>);</item>
/// <item>a failed client authentication counts against its address's budget on every node, so the throttle's limit
/// holds for the deployment, not per node.</item>
/// </list>
/// The messages carry identifiers only, never data: a view re-queries through the pipeline, and a feed reads the
/// events from the database. Pub/sub delivers at most once, so nothing depends on it for correctness: the feed's
/// database poll still finds every event if a message is lost or Redis is down, only later. Without a connection
/// string the node runs alone and this does nothing.
/// </summary>
public sealed partial class RedisScaleOut(
    IConfiguration configuration,
    IOptions<ScaleOutOptions> options,
    LiveUpdateHub liveUpdates,
    SecurityEventSignal securityEvents,
    ClientAuthenticationThrottle clientAuthenticationThrottle,
    ILogger<RedisScaleOut> logger) : IHostedService, IAsyncDisposable
{
    private static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    // Redis hands every subscriber its own publications too; the node id lets a node skip its own.
    private readonly string nodeId = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource stopping = new();
    private ConnectionMultiplexer? redis;
    private RedisChannel liveUpdateChannel;
    private RedisChannel securityEventChannel;
    private RedisChannel clientAuthenticationFailureChannel;
    private Task running = Task.CompletedTask;
    private volatile bool subscribed;

    /// <summary>True when a Redis server is configured (scale-out on), whether or not it is reachable right now.</summary>
    public bool Enabled { get; private set; }

    /// <summary>True once this node listens to the other nodes and can reach Redis now.</summary>
    public bool IsConnected => subscribed && Volatile.Read(ref redis)?.IsConnected == true;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var connectionString = configuration.GetConnectionString(ScaleOutOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return Task.CompletedTask;
        }

        Enabled = true;
        var prefix = options.Value.ChannelPrefix;
        liveUpdateChannel = RedisChannel.Literal($"{prefix}:live-updates");
        securityEventChannel = RedisChannel.Literal($"{prefix}:security-events");
        clientAuthenticationFailureChannel = RedisChannel.Literal($"{prefix}:client-authentication-failures");
        var redisOptions = ConfigurationOptions.Parse(connectionString);
        // Start even when Redis is down (the node works alone meanwhile) and keep reconnecting in the background.
        redisOptions.AbortOnConnectFail = false;
        redisOptions.ClientName ??= $"partnergate-{Environment.MachineName}-{nodeId[..8]}";
        liveUpdates.PublishedOnThisNode += RelayLiveUpdate;
        clientAuthenticationThrottle.FailureCountedHere += RelayClientAuthenticationFailure;
        running = ConnectAndSubscribeAsync(redisOptions, prefix, stopping.Token);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => CloseAsync();

    public async ValueTask DisposeAsync() => await CloseAsync();

    /// <summary>Stop and dispose may both come, in either order (a host that failed to start is disposed unstopped).</summary>
    private async Task CloseAsync()
    {
        liveUpdates.PublishedOnThisNode -= RelayLiveUpdate;
        clientAuthenticationThrottle.FailureCountedHere -= RelayClientAuthenticationFailure;
        if (!stopping.IsCancellationRequested)
        {
            await stopping.CancelAsync();
        }

        await running;
        if (Interlocked.Exchange(ref redis, null) is { } connection)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// In the background, so a node whose Redis is away starts at once. Subscribes once connected; from then on the
    /// multiplexer renews the subscriptions after every reconnect by itself.
    /// </summary>
    private async Task ConnectAndSubscribeAsync(ConfigurationOptions redisOptions, string prefix, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(redisOptions);
            connection.ConnectionFailed += (_, failure) => ConnectionLost(logger, failure.FailureType, failure.Exception?.Message);
            connection.ConnectionRestored += (_, _) => ConnectionBack(logger);
            Volatile.Write(ref redis, connection);
            var subscriber = connection.GetSubscriber();
            var waitingLogged = false;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (connection.IsConnected)
                {
                    try
                    {
                        await subscriber.SubscribeAsync(liveUpdateChannel, (_, message) => OnLiveUpdate(message));
                        await subscriber.SubscribeAsync(securityEventChannel, (_, message) => OnSecurityEvents(message));
                        await subscriber.SubscribeAsync(clientAuthenticationFailureChannel, (_, message) => OnClientAuthenticationFailure(message));
                        subscribed = true;
                        Started(logger, prefix);
                        return;
                    }
                    catch (RedisException exception)
                    {
                        // Lost again half-way: drop what was registered, so the next try does not hear everything twice.
                        CommandFailed(logger, exception.Message);
                        await subscriber.UnsubscribeAllAsync(CommandFlags.FireAndForget);
                    }
                }
                else if (!waitingLogged)
                {
                    waitingLogged = true;
                    WaitingForRedis(logger);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Could not even begin (e.g. an endpoint it cannot use): the node stays alone; readiness says Degraded.
            CommandFailed(logger, exception.Message);
        }
    }

    /// <summary>Tells the other nodes that this node committed feed events up to <paramref name="lastSequence"/>.</summary>
    public void RelaySecurityEvents(long lastSequence) =>
        Send(securityEventChannel, new SecurityEventsMessage(nodeId, lastSequence));

    private void RelayLiveUpdate(LiveUpdate update) => Send(liveUpdateChannel, new LiveUpdateMessage(nodeId, update));

    private void RelayClientAuthenticationFailure(string key) =>
        Send(clientAuthenticationFailureChannel, new ClientAuthenticationFailureMessage(nodeId, key));

    private void Send<T>(RedisChannel channel, T message)
    {
        if (Volatile.Read(ref redis) is not { } connection || !subscribed)
        {
            // Alone, or not connected yet: the other nodes' feeds find these events at their database poll.
            return;
        }

        try
        {
            // Fire and forget: called on the committing request's path, which must not wait on (or fail with) Redis.
            connection.GetSubscriber().Publish(channel, JsonSerializer.Serialize(message, MessageJson), CommandFlags.FireAndForget);
        }
        catch (RedisException exception)
        {
            CommandFailed(logger, exception.Message);
        }
    }

    private void OnLiveUpdate(RedisValue message)
    {
        if (Read<LiveUpdateMessage>(message) is { } received && received.Node != nodeId && received.Update is not null)
        {
            liveUpdates.DeliverFromOtherNode(received.Update);
        }
    }

    private void OnClientAuthenticationFailure(RedisValue message)
    {
        if (Read<ClientAuthenticationFailureMessage>(message) is { } received && received.Node != nodeId && received.Key is not null)
        {
            clientAuthenticationThrottle.RecordFailureFromOtherNode(received.Key);
        }
    }

    private void OnSecurityEvents(RedisValue message)
    {
        if (Read<SecurityEventsMessage>(message) is { } received && received.Node != nodeId && received.LastSequence > 0)
        {
            securityEvents.Notify(received.LastSequence);
        }
    }

    /// <summary>Anything on the channel that isn't one of ours is dropped (and logged without its content).</summary>
    private T? Read<T>(RedisValue message) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>((string)message!, MessageJson);
        }
        catch (JsonException)
        {
            UnreadableMessage(logger, typeof(T).Name);
            return null;
        }
    }

    private sealed record LiveUpdateMessage(string Node, LiveUpdate? Update);

    private sealed record SecurityEventsMessage(string Node, long LastSequence);

    /// <summary>The throttle's counting key (an address or an IPv6 /64), never a client id or anything of the request.</summary>
    private sealed record ClientAuthenticationFailureMessage(string Node, string? Key);

    [LoggerMessage(EventId = 7300, Level = LogLevel.Information, Message = "Scale-out over Redis: listening to the other nodes on channels '{Prefix}:*'")]
    private static partial void Started(ILogger logger, string prefix);

    [LoggerMessage(EventId = 7305, Level = LogLevel.Warning, Message = "Scale-out: Redis is not reachable yet; this node works alone until it is")]
    private static partial void WaitingForRedis(ILogger logger);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Warning,
        Message = "Scale-out: lost Redis ({FailureType}: {Reason}); other nodes' live updates wait for the reconnect, and their revocations reach this node's feed at its database poll")]
    private static partial void ConnectionLost(ILogger logger, ConnectionFailureType failureType, string? reason);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "Scale-out: Redis connection restored")]
    private static partial void ConnectionBack(ILogger logger);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Warning, Message = "Scale-out: a Redis command failed: {Reason}")]
    private static partial void CommandFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Warning, Message = "Scale-out: dropped a message that is not a {Kind}")]
    private static partial void UnreadableMessage(ILogger logger, string kind);
}

/// <summary>Passes this node's feed commits to the other nodes (after <see cref="SecurityEventSignalHandler"/> woke this node's own feed).</summary>
public sealed class SecurityEventsScaleOutHandler(RedisScaleOut scaleOut) : INotificationHandler<SecurityEventsAppended>
{
    public ValueTask Handle(SecurityEventsAppended notification, CancellationToken cancellationToken)
    {
        scaleOut.RelaySecurityEvents(notification.LastSequence);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Part of <c>/health/ready</c>: Healthy alone or connected; Degraded (still serving, HTTP 200) while a configured
/// Redis is unreachable, since the node still works, with other nodes' changes arriving late.
/// </summary>
public sealed class RedisScaleOutHealthCheck(RedisScaleOut scaleOut) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!scaleOut.Enabled ? HealthCheckResult.Healthy("Single node (no ConnectionStrings:Redis).")
            : scaleOut.IsConnected ? HealthCheckResult.Healthy("Connected to Redis.")
            : HealthCheckResult.Degraded("Redis unreachable: other nodes' changes arrive late."));
}

public static class ScaleOutRegistration
{
    public static IServiceCollection AddScaleOut(this IServiceCollection services)
    {
        services.AddOptions<ScaleOutOptions>()
            .BindConfiguration(ScaleOutOptions.Section)
            .Validate(o => ScaleOutOptions.IsValidPrefix(o.ChannelPrefix), "ScaleOut:ChannelPrefix must be 1–64 letters, digits, '.', '_', ':' or '-'.")
            .ValidateOnStart();
        services.AddSingleton<RedisScaleOut>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisScaleOut>());
        return services;
    }
}
