using PartnerGate.ResourceServer;

namespace PartnerGate.UnitTests.ResourceServer;

/// <summary>The feed's settings that stop an API at start-up, each with a message that says what to set.</summary>
public sealed class ResourceServerOptionsValidatorTests
{
    [Fact]
    public void FeedEnabled_NeedsClientIdAndSecret()
    {
        var failures = Validate(o => { });

        Assert.Contains(failures, f => f.Contains("needs ClientId", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("needs ClientSecret", StringComparison.Ordinal));
    }

    [Fact]
    public void IntrospectionWithoutTheFeed_StillNeedsCredentials_AndTheFeedOffAndFailClosed_DoesNot()
    {
        var introspection = Validate(o =>
        {
            o.RevocationFeed.Enabled = false;
            o.RevocationFeed.WhenSilent = FeedSilenceMode.Introspection;
        });
        var off = Validate(o => o.RevocationFeed.Enabled = false);

        Assert.Contains(introspection, f => f.StartsWith("Introspection (RevocationFeed.WhenSilent) needs ClientId", StringComparison.Ordinal));
        Assert.Empty(off);
    }

    [Theory]
    [InlineData(999, false)]
    [InlineData(1000, true)]
    [InlineData(60_000, true)]
    [InlineData(60_001, false)]
    public void SilenceBound_IsBetweenOneSecondAndOneMinute(int milliseconds, bool valid)
    {
        var failures = Validate(o =>
        {
            o.ClientId = "supply-network-api";
            o.ClientSecret = "secret";
            o.RevocationFeed.SilenceBound = TimeSpan.FromMilliseconds(milliseconds);
        });

        Assert.Equal(valid, failures.Count == 0);
        if (!valid)
        {
            Assert.Contains("RevocationFeed.SilenceBound", Assert.Single(failures), StringComparison.Ordinal);
        }
    }

    private static List<string> Validate(Action<PartnerGateResourceServerOptions> configure)
    {
        var options = new PartnerGateResourceServerOptions { Authority = "https://partnergate.example", Audience = "https://supply.acme.example/purchase-orders" };
        configure(options);
        var result = new PartnerGateResourceServerOptionsValidator().Validate(null, options);
        return [.. result.Failures ?? []];
    }
}
