using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary><c>RateLimiting:ClientAuthentication</c>: failed client authentications allowed per address and window.</summary>
public sealed class ClientAuthenticationThrottleOptions
{
    public const string Section = "RateLimiting:ClientAuthentication";

    /// <summary>Failures an address may make in one window; the next attempt is refused until the window ends.</summary>
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 20;

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 300;

    /// <summary>Addresses remembered at once; bounds the memory an attacker rotating addresses can make PartnerGate use.</summary>
    [Range(100, 10_000_000)]
    public int MaxTrackedAddresses { get; set; } = 10_000;

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}

/// <summary>
/// Counts failed client authentications (unknown client_id, wrong secret, disabled client, malformed Basic header) per
/// remote address at <c>/connect/token</c>, <c>/connect/introspect</c>, <c>/connect/revoke</c> and <c>/ssf/**</c>; an
/// address over the limit is refused (429) before any database lookup or secret hash until its window ends. Correct
/// authentications are never counted and never reset the count (else one stolen credential would reset an attacker's
/// budget), so a client that authenticates correctly from an address that is not failing is never slowed.
/// </summary>
/// <remarks>
/// <para>Per address only, deliberately not per client_id: client ids are not secret (they travel in every token's
/// <c>client_id</c> claim, in logs and in partners' configuration), so a per-client_id lock would let anyone lock a
/// partner's integration out from anywhere. Guessing a secret is hopeless anyway (256 random bits, see
/// <see cref="TokenService.ClientSecrets"/>); what the limit stops is an unbounded flood of lookups and hashes and the
/// noise of online guessing, and that is bounded per source.</para>
/// <para>IPv6 addresses count per /64 (one host usually controls a whole /64, so counting single addresses would
/// give it 2^64 budgets); an IPv4-mapped IPv6 address counts as its IPv4 address. The address is
/// <c>HttpContext.Connection.RemoteIpAddress</c>, as for the sign-in limiter.</para>
/// <para>Fixed windows from the first failure, read from <see cref="TimeProvider"/>. The state is in memory; with
/// several nodes and <c>ConnectionStrings:Redis</c>, each node passes its failures to the others
/// (<see cref="FailureCountedHere"/>, <see cref="RecordFailureFromOtherNode"/>), so the limit holds for the deployment
/// while the check stays a local look-up. Without Redis (or while it is away) the limit is per node: N nodes allow up
/// to N × PermitLimit failures per window.</para>
/// <para>Memory is bounded by <see cref="ClientAuthenticationThrottleOptions.MaxTrackedAddresses"/>: when the table is
/// full, expired windows are dropped; if it is still full, a new address is not tracked (it is counted in a metric)
/// rather than evicting an address already over its limit, which would let an attacker flush its own lock by
/// rotating addresses.</para>
/// </remarks>
public sealed partial class ClientAuthenticationThrottle(
    IOptions<ClientAuthenticationThrottleOptions> options, TimeProvider clock, ClientAuthenticationMetrics metrics, ILogger<ClientAuthenticationThrottle> logger)
{
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    private readonly ClientAuthenticationThrottleOptions settings = options.Value;
    private readonly ConcurrentDictionary<string, FailureWindow> windows = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private int tracked;
    private DateTimeOffset lastSweep = DateTimeOffset.MinValue;

    /// <summary>Raised with the counting key after each failure seen on this node (never for relayed ones), for the scale-out relay.</summary>
    public event Action<string>? FailureCountedHere;

    /// <summary>Addresses currently remembered (for tests and metrics).</summary>
    public int TrackedAddresses => Volatile.Read(ref tracked);

    /// <summary>How long the address must wait, or null when it may try to authenticate.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        if (TrackedAddresses == 0 || !windows.TryGetValue(KeyOf(address), out var window))
        {
            return null;
        }

        var remaining = window.Start + settings.Window - clock.GetUtcNow();
        if (window.Failures < settings.PermitLimit || remaining <= TimeSpan.Zero)
        {
            return null;
        }

        metrics.Refused();
        return remaining;
    }

    /// <summary>Whole seconds for a <c>Retry-After</c> header: rounded up, at least 1.</summary>
    public static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A failed client authentication from <paramref name="address"/>.</summary>
    public void RecordFailure(IPAddress? address)
    {
        metrics.Failed();
        var key = KeyOf(address);
        Count(key);
        FailureCountedHere?.Invoke(key);
    }

    /// <summary>A failure another node of the deployment saw (relayed over Redis): it counts against the same budget here.</summary>
    public void RecordFailureFromOtherNode(string key)
    {
        // The key is an address or a /64 (at most 43 characters); anything else did not come from a node.
        if (key.Length is > 0 and <= 64)
        {
            Count(key);
        }
    }

    private void Count(string key)
    {
        var now = clock.GetUtcNow();
        int failures;
        DateTimeOffset windowEnd;
        lock (gate)
        {
            if (!windows.TryGetValue(key, out var window) || window.Start + settings.Window <= now)
            {
                if (window is null && !MakeRoom(now))
                {
                    metrics.Untracked();
                    return;
                }

                if (window is null)
                {
                    tracked++;
                }

                window = new FailureWindow(now, 0);
            }

            window = window with { Failures = window.Failures + 1 };
            windows[key] = window;
            failures = window.Failures;
            windowEnd = window.Start + settings.Window;
        }

        // Exactly once per window: the failure that uses up the budget. Never the client id or the secret.
        if (failures == settings.PermitLimit)
        {
            LogThrottled(logger, key, failures, settings.WindowSeconds, windowEnd);
        }
    }

    /// <summary>Under <see cref="gate"/>: true when a new address fits.</summary>
    private bool MakeRoom(DateTimeOffset now)
    {
        if (tracked < settings.MaxTrackedAddresses)
        {
            return true;
        }

        // A sweep is O(tracked); at most one a second, so a flood of new addresses cannot make every failure pay for it.
        if (now - lastSweep >= TimeSpan.FromSeconds(1))
        {
            lastSweep = now;
            foreach (var (key, window) in windows)
            {
                if (window.Start + settings.Window <= now && windows.TryRemove(key, out _))
                {
                    tracked--;
                }
            }
        }

        return tracked < settings.MaxTrackedAddresses;
    }

    /// <summary>The counting key: an IPv4 address, or an IPv6 /64.</summary>
    public static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    [LoggerMessage(EventId = 4290, Level = LogLevel.Warning,
        Message = "Client authentication throttled for {RemoteAddress}: {Failures} failures within {WindowSeconds} s; refused until {WindowEnd:O}")]
    private static partial void LogThrottled(ILogger logger, string remoteAddress, int failures, int windowSeconds, DateTimeOffset windowEnd);

    private sealed record FailureWindow(DateTimeOffset Start, int Failures);
}

/// <summary>
/// Counters of client authentication (meter <c>PartnerGate.ClientAuthentication</c>): failures, refusals by the throttle,
/// failures from addresses the full table could not track, and secret verifications (each one a hash the endpoint paid for).
/// </summary>
public sealed class ClientAuthenticationMetrics
{
    public const string MeterName = "PartnerGate.ClientAuthentication";

    private readonly Counter<long> failures;
    private readonly Counter<long> refusals;
    private readonly Counter<long> untracked;
    private readonly Counter<long> secretVerifications;

    public ClientAuthenticationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        failures = meter.CreateCounter<long>("partnergate.client_authentication.failures");
        refusals = meter.CreateCounter<long>("partnergate.client_authentication.throttled");
        untracked = meter.CreateCounter<long>("partnergate.client_authentication.untracked_failures");
        secretVerifications = meter.CreateCounter<long>("partnergate.client_authentication.secret_verifications");
    }

    public void Failed() => failures.Add(1);

    public void Refused() => refusals.Add(1);

    public void Untracked() => untracked.Add(1);

    public void SecretVerified() => secretVerifications.Add(1);
}

public static class ClientAuthenticationThrottleRegistration
{
    public static IServiceCollection AddClientAuthenticationThrottle(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClientAuthenticationThrottleOptions>()
            .Bind(configuration.GetSection(ClientAuthenticationThrottleOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ClientAuthenticationMetrics>();
        services.AddSingleton<ClientAuthenticationThrottle>();
        return services;
    }
}
