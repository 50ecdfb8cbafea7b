using Microsoft.AspNetCore.Mvc.Testing;

namespace PartnerGate.EndToEndTests.Infrastructure;

/// <summary>
/// Two nodes of one deployment (DESIGN.md, scale-out), each on its own loopback port, over one database and the
/// Redis server test.sh starts (<c>PARTNERGATE_TEST_REDIS</c>): <see cref="PortalFixture.BaseAddress"/> is node B,
/// <see cref="NodeAAddress"/> node A. A deployment of its own, so its requests never reach the shared portal's inbox.
/// </summary>
public sealed class ScaleOutPortalFixture : PortalFixture
{
    private WebApplicationFactory<Program>? nodeA;

    public Uri NodeAAddress { get; private set; } = null!;

    protected override ValueTask<IReadOnlyDictionary<string, string?>> PrepareAsync(int port)
    {
        var redis = Environment.GetEnvironmentVariable("PARTNERGATE_TEST_REDIS");
        if (string.IsNullOrWhiteSpace(redis))
        {
            throw new InvalidOperationException("PARTNERGATE_TEST_REDIS is not set: ./test.sh starts a Redis server for the scale-out tests.");
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis,
            ["ScaleOut:ChannelPrefix"] = "partnergate-e2e-" + Guid.NewGuid().ToString("N")[..12],
        });
    }

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        (nodeA, NodeAAddress) = StartAnotherNode();

        // Nodes connect to Redis in the background; readiness reads Healthy once a node listens to the others.
        await PartnerGate.IntegrationTests.Infrastructure.Readiness.UntilHealthyAsync(TimeSpan.FromSeconds(30), BaseAddress, NodeAAddress);
    }

    public override async ValueTask DisposeAsync()
    {
        // Close the browser first, so node A's circuits are gone and it stops at once.
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        if (nodeA is not null)
        {
            await nodeA.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
