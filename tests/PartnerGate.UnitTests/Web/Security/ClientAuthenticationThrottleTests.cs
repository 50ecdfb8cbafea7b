using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.UnitTests.Web.Security;

/// <summary>The failure counter behind client-authentication throttling: windows, keys, the once-per-window warning, bounded memory.</summary>
public sealed class ClientAuthenticationThrottleTests : IDisposable
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly CollectingLogger logger = new();
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => services.Dispose();

    [Fact]
    public void AnAddress_IsRefusedAfterTheLimit_UntilItsWindowEnds_AndWarnedAboutOncePerWindow()
    {
        var throttle = Create(permitLimit: 3, windowSeconds: 300);
        var address = IPAddress.Parse("203.0.113.7");

        for (var i = 0; i < 2; i++)
        {
            throttle.RecordFailure(address);
            Assert.Null(throttle.RetryAfter(address));
        }

        throttle.RecordFailure(address);
        clock.Advance(TimeSpan.FromSeconds(100));
        Assert.Equal(TimeSpan.FromSeconds(200), throttle.RetryAfter(address));
        Assert.Null(throttle.RetryAfter(IPAddress.Parse("203.0.113.8")));

        // Failures past the limit (e.g. in flight when it was reached) do not warn again within the window.
        throttle.RecordFailure(address);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("203.0.113.7", warning.Message, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromSeconds(200));
        Assert.Null(throttle.RetryAfter(address));

        for (var i = 0; i < 3; i++)
        {
            throttle.RecordFailure(address);
        }

        Assert.NotNull(throttle.RetryAfter(address));
        Assert.Equal(2, logger.Entries.Count);
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "203.0.113.8", false)]
    public void Keys_GroupAnIpv6Slash64_AndMappedIpv4(string first, string second, bool same)
    {
        Assert.Equal(same, ClientAuthenticationThrottle.KeyOf(IPAddress.Parse(first)) == ClientAuthenticationThrottle.KeyOf(IPAddress.Parse(second)));
    }

    [Fact]
    public void ManyDistinctAddresses_StayWithinTheBound_WithoutFreeingAThrottledAddress()
    {
        var throttle = Create(permitLimit: 2, windowSeconds: 60, maxTrackedAddresses: 100);
        var attacker = IPAddress.Parse("198.51.100.1");
        throttle.RecordFailure(attacker);
        throttle.RecordFailure(attacker);

        for (var i = 0; i < 20_000; i++)
        {
            throttle.RecordFailure(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
            Assert.InRange(throttle.TrackedAddresses, 1, 100);
        }

        Assert.NotNull(throttle.RetryAfter(attacker));

        // Once the windows have passed, the table makes room again: new addresses are tracked and throttled.
        clock.Advance(TimeSpan.FromSeconds(61));
        var later = IPAddress.Parse("192.0.2.200");
        throttle.RecordFailure(later);
        throttle.RecordFailure(later);
        Assert.NotNull(throttle.RetryAfter(later));
        Assert.InRange(throttle.TrackedAddresses, 1, 100);
    }

    [Fact]
    public void Defaults_AreTwentyFailuresInFiveMinutes()
    {
        var options = new ClientAuthenticationThrottleOptions();
        Assert.Equal(20, options.PermitLimit);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Window);
    }

    private ClientAuthenticationThrottle Create(int permitLimit, int windowSeconds, int maxTrackedAddresses = 10_000) => new(
        Options.Create(new ClientAuthenticationThrottleOptions { PermitLimit = permitLimit, WindowSeconds = windowSeconds, MaxTrackedAddresses = maxTrackedAddresses }),
        clock,
        new ClientAuthenticationMetrics(services.GetRequiredService<IMeterFactory>()),
        logger);

    private sealed class CollectingLogger : ILogger<ClientAuthenticationThrottle>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
