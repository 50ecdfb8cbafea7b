using System.Diagnostics;
using System.Text;
using PartnerGate.EndToEndTests.Infrastructure;

namespace PartnerGate.RevocationBench;

/// <summary>
/// Revocation lag across two nodes (DESIGN.md, scale-out: "a revocation on node A is enforced by a resource server fed
/// from node B"): node A commits each revocation, the demo API follows node B's feed. Two deployments in the same run,
/// side by side: node B woken over Redis (<c>ConnectionStrings:Redis</c>), and the peer without Redis, where node B
/// learns of node A's events only at its database poll (<c>SharedSignals:PollMilliseconds</c>, 250 ms).
/// </summary>
public static class NodesRun
{
    public static async Task<int> RunAsync(string redis, int revocations, int lanes, string? outputPath)
    {
        var report = new StringBuilder();
        var goalMet = true;
        foreach (var (name, withRedis) in new[] { ("Redis", true), ("database poll only (250 ms)", false) })
        {
            var samples = await MeasureDeploymentAsync(withRedis ? redis : null, revocations, lanes);
            var fromCommit = samples.Select(s => s.LagFromCommitMs).Order().ToList();
            var line = $"| {name} | {samples.Count} | {Statistics.Percentile(fromCommit, 50):F1} ms | {Statistics.Percentile(fromCommit, 90):F1} ms | " +
                       $"{Statistics.Percentile(fromCommit, 99):F1} ms | {fromCommit[^1]:F1} ms | {samples.Count(s => s.IntrospectionInactive)} of {samples.Count} |";
            Console.WriteLine(Statistics.Summary($"{name}: lag from the commit on node A to the API (fed by node B) refusing", fromCommit, " ms"));
            report.AppendLine(line);
            goalMet &= Statistics.Percentile(samples.Select(s => s.LagFromSendMs).Order().ToList(), 99) <= 1000;
        }

        var table = "| node B learns of node A's revocations by | revocations | p50 | p90 | p99 | max | introspection inactive at once |\n|---|---:|---:|---:|---:|---:|---:|\n" + report;
        Console.WriteLine();
        Console.WriteLine(table);
        if (outputPath is not null)
        {
            await File.WriteAllTextAsync(outputPath, table);
        }

        return goalMet ? 0 : 1;
    }

    private static async Task<List<LagSample>> MeasureDeploymentAsync(string? redis, int revocations, int lanes)
    {
        var deployment = new Dictionary<string, string?>();
        if (redis is not null)
        {
            deployment["ConnectionStrings:Redis"] = redis;
            deployment["ScaleOut:ChannelPrefix"] = "partnergate-bench-" + Guid.NewGuid().ToString("N")[..8];
        }

        // Node B first: its address is the deployment's issuer (as behind a load balancer, every node issues under
        // one name), so node A's tokens validate at an API that knows only node B.
        using var nodeB = new BenchPortal(settings: deployment);
        nodeB.Start();
        using var nodeA = new BenchPortal(nodeB, new Dictionary<string, string?>(deployment) { ["TokenService:Issuer"] = nodeB.Authority });
        nodeA.Start();
        // Both nodes ready (with Redis: listening to each other; readiness is Degraded until then).
        await PartnerGate.IntegrationTests.Infrastructure.Readiness.UntilHealthyAsync(TimeSpan.FromSeconds(30), nodeA.BaseAddress, nodeB.BaseAddress);
        Console.WriteLine($"{(redis is null ? "without Redis" : "with Redis")}: node A {nodeA.Authority}, node B {nodeB.Authority}");

        var world = new AccessWorld(nodeA.CreateDbContext);
        var credentials = await LagRun.RegisterLaneClientsAsync(world, lanes, "bench-nodes");
        await using var api = ApiProcess.StartDemoApi(nodeB.Authority);
        await LagRun.WarmUpAsync(nodeA, world, credentials[0], api);

        var total = Stopwatch.StartNew();
        var samples = await LagRun.MeasureLanesAsync(nodeA, world, credentials, api.BaseAddress, plainPeer: null, revocations);
        Console.WriteLine($"  {samples.Count} revocations in {total.Elapsed.TotalSeconds:F0} s");
        return samples;
    }
}
