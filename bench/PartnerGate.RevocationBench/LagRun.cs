using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.Grants;

using PartnerGate.EndToEndTests.Infrastructure;

namespace PartnerGate.RevocationBench;

/// <summary>One revocation: when the command was sent, when it returned (committed), when the API first refused.</summary>
public sealed record LagSample(int Lane, int Index, double CommandMs, double LagFromSendMs, double LagFromCommitMs, int RequestsUntilRefused, bool IntrospectionInactive, bool PlainPeerStillAccepted);

/// <summary>
/// Revocation lag: for each of N revocations, a fresh grant, a token for it accepted by the demo API (in its own
/// process, following the portal's feed), then RevokeGrantCommand through the real pipeline, then the same token
/// sent to the API back to back until it is refused. Lanes run side by side, each with its own client and grant.
/// </summary>
public static class LagRun
{
    internal const string Resource = "purchase-orders";
    internal const string Scope = "orders.read";
    internal const string ApiPath = "/purchase-orders?limit=1";
    private const string TokenLifetimeNote = "at most the resource's token lifetime, 5 minutes by default";

    public static async Task<int> RunAsync(int revocations, int lanes, string? jsonLinesPath)
    {
        using var portal = new BenchPortal();
        portal.Start();
        Console.WriteLine($"portal: {portal.Authority}");
        var world = new AccessWorld(portal.CreateDbContext);
        var credentials = await RegisterLaneClientsAsync(world, lanes, "bench-lane");
        await using var api = ApiProcess.StartDemoApi(portal.Authority);

        // The peer: the same endpoints behind plain JwtBearer (no feed). It accepts a revoked grant's token until exp.
        await using var plain = ApiProcess.Start(typeof(LagRun).Assembly.Location, ["serve-plain", .. OverheadRun.PlainArguments(portal.Authority)]);
        await WarmUpAsync(portal, world, credentials[0], api, plain);
        Console.WriteLine($"demo API: {api.BaseAddress} (feed synced); plain JwtBearer peer: {plain.BaseAddress}");

        var total = Stopwatch.StartNew();
        var samples = await MeasureLanesAsync(portal, world, credentials, api.BaseAddress, plain.BaseAddress, revocations);

        Console.WriteLine();
        Console.WriteLine($"revocations: {samples.Count} in {lanes} lanes, {total.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine(Statistics.Summary("lag from RevokeGrantCommand sent (commit included)", samples.Select(s => s.LagFromSendMs), " ms"));
        Console.WriteLine(Statistics.Summary("lag from RevokeGrantCommand returned (committed)", samples.Select(s => s.LagFromCommitMs), " ms"));
        Console.WriteLine(Statistics.Summary("RevokeGrantCommand itself", samples.Select(s => s.CommandMs), " ms"));
        Console.WriteLine(Statistics.Summary("API requests until refused", samples.Select(s => (double)s.RequestsUntilRefused), string.Empty));
        var introspected = samples.Count(s => s.IntrospectionInactive);
        Console.WriteLine($"introspection inactive right after the command returned: {introspected} of {samples.Count}");
        Console.WriteLine($"plain JwtBearer peer still accepted the revoked token after the library refused it: {samples.Count(s => s.PlainPeerStillAccepted)} of {samples.Count} (it does until exp, {TokenLifetimeNote})");
        var p99 = Statistics.Percentile(samples.Select(s => s.LagFromSendMs).Order().ToList(), 99);
        Console.WriteLine($"goal p99 <= 1000 ms: {(p99 <= 1000 ? "met" : "NOT met")} (p99 {p99:F1} ms)");

        if (jsonLinesPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonLinesPath))!);
            await File.WriteAllLinesAsync(jsonLinesPath, samples.Select(s => JsonSerializer.Serialize(s)), Encoding.UTF8);
        }

        return introspected == samples.Count && samples.Count == revocations ? 0 : 1;
    }

    /// <summary>One client per lane, so lanes never share a grant.</summary>
    internal static async Task<List<(string ClientId, string Secret)>> RegisterLaneClientsAsync(AccessWorld world, int lanes, string prefix)
    {
        var credentials = new List<(string ClientId, string Secret)>();
        for (var lane = 0; lane < lanes; lane++)
        {
            var clientId = $"{prefix}-{lane}";
            credentials.Add((clientId, await world.RegisterClientAsync(DemoDataSeeder.BoltNutPartnerId, clientId)));
        }

        return credentials;
    }

    /// <summary>
    /// Ready = each API accepts a valid token, which with the library's default fail-closed mode means its feed has
    /// synced; the warm-up grant is then revoked on <paramref name="portal"/>.
    /// </summary>
    internal static async Task WarmUpAsync(BenchPortal portal, AccessWorld world, (string ClientId, string Secret) credential, params ApiProcess[] apis)
    {
        using var portalHttp = new HttpClient { BaseAddress = portal.BaseAddress };
        var warmGrant = await GrantAsync(world, credential.ClientId);
        var warmToken = await AccessWorld.TokenAsync(portalHttp, credential.ClientId, credential.Secret, Resource, Scope);
        foreach (var api in apis)
        {
            await api.WaitUntilAsync(async http =>
            {
                using var response = await http.SendAsync(AccessWorld.ApiRequest(ApiPath, warmToken));
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(60));
        }

        await portal.SendAsync<Result>(new RevokeGrantCommand(warmGrant, "Bench warm-up."), "approver@acme.example");
    }

    /// <summary><paramref name="revocations"/> measurements, the lanes side by side, each lane with its own client.</summary>
    internal static async Task<List<LagSample>> MeasureLanesAsync(
        BenchPortal portal, AccessWorld world, List<(string ClientId, string Secret)> credentials, Uri api, Uri? plainPeer, int revocations)
    {
        var samples = new List<LagSample>();
        var lanes = credentials.Count;
        var perLane = (revocations + lanes - 1) / lanes;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, lanes).Select(lane => Task.Run(async () =>
        {
            using var apiHttp = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
            using var plainHttp = plainPeer is null ? null : new HttpClient { BaseAddress = plainPeer, Timeout = TimeSpan.FromSeconds(10) };
            using var laneHttp = new HttpClient { BaseAddress = portal.BaseAddress };
            var (clientId, secret) = credentials[lane];
            for (var index = 0; index < perLane && lane * perLane + index < revocations; index++)
            {
                var sample = await MeasureOnceAsync(portal, world, laneHttp, apiHttp, plainHttp, clientId, secret, lane, index);
                lock (samples)
                {
                    samples.Add(sample);
                    if (samples.Count % 100 == 0)
                    {
                        Console.WriteLine($"  {samples.Count} revocations measured ({total.Elapsed.TotalSeconds:F0} s)");
                    }
                }
            }
        })));
        return samples;
    }

    /// <summary>One revocation committed on <paramref name="portal"/>, refused by the API behind <paramref name="apiHttp"/>.</summary>
    private static async Task<LagSample> MeasureOnceAsync(
        BenchPortal portal, AccessWorld world, HttpClient portalHttp, HttpClient apiHttp, HttpClient? plainHttp, string clientId, string secret, int lane, int index)
    {
        var grantId = await GrantAsync(world, clientId);
        var token = await AccessWorld.TokenAsync(portalHttp, clientId, secret, Resource, Scope);
        using (var accepted = await apiHttp.SendAsync(AccessWorld.ApiRequest(ApiPath, token)))
        {
            if (accepted.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"A fresh token was not accepted: {(int)accepted.StatusCode}.");
            }
        }

        var sent = Stopwatch.GetTimestamp();
        var revoked = await portal.SendAsync<Result>(new RevokeGrantCommand(grantId, "Revocation lag benchmark."), "approver@acme.example");
        var committed = Stopwatch.GetTimestamp();
        if (!revoked.IsSuccess)
        {
            throw new InvalidOperationException($"Revoking failed: {revoked.Error!.Message}");
        }

        // Introspection is asked at once, beside the API polling, so it cannot delay the lag measurement.
        var introspection = AccessWorld.IsActiveAsync(portalHttp, token);
        var requests = 0;
        long refused;
        while (true)
        {
            requests++;
            using var response = await apiHttp.SendAsync(AccessWorld.ApiRequest(ApiPath, token));
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                refused = Stopwatch.GetTimestamp();
                break;
            }

            if (Stopwatch.GetElapsedTime(committed).TotalSeconds > 10)
            {
                throw new TimeoutException($"The API still accepted a revoked grant's token 10 s after the revocation (lane {lane}, #{index}).");
            }
        }

        var inactive = !await introspection;

        // The same token at the plain-JwtBearer peer (when there is one), once the library has refused it.
        var peerAccepted = false;
        if (plainHttp is not null)
        {
            using var peer = await plainHttp.SendAsync(AccessWorld.ApiRequest(ApiPath, token));
            peerAccepted = peer.StatusCode == HttpStatusCode.OK;
        }

        return new LagSample(lane, index, Stopwatch.GetElapsedTime(sent, committed).TotalMilliseconds,
            Stopwatch.GetElapsedTime(sent, refused).TotalMilliseconds, Stopwatch.GetElapsedTime(committed, refused).TotalMilliseconds, requests, inactive,
            peerAccepted);
    }

    internal static Task<Guid> GrantAsync(AccessWorld world, string clientId) =>
        world.GrantAsync(DemoDataSeeder.BoltNutPartnerId, PartnerGate.Domain.AccessRequests.AccessSubject.ForClient(clientId), Resource, [Scope]);
}
