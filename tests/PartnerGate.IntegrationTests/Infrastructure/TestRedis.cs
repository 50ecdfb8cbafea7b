namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>The Redis server test.sh starts for the scale-out tests (<c>PARTNERGATE_TEST_REDIS</c>, host:port).</summary>
public static class TestRedis
{
    public const string Variable = "PARTNERGATE_TEST_REDIS";

    /// <summary>
    /// Settings of one deployment on that server: its own channel prefix, so tests running at once, each with its
    /// own database, don't hear each other's nodes.
    /// </summary>
    public static Dictionary<string, string?> DeploymentSettings()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        Assert.SkipWhen(string.IsNullOrWhiteSpace(server), $"Redis not configured ({Variable}).");
        return new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = server,
            ["ScaleOut:ChannelPrefix"] = "partnergate-test-" + Guid.NewGuid().ToString("N")[..12],
        };
    }
}
