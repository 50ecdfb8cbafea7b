using System.Net;
using System.Text.Json;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.RevocationBench;

/// <summary>
/// Validation overhead: requests/s of the demo API's GET /purchase-orders with the resource-server library (its own
/// process, following the portal's feed) against the same endpoints behind plain JwtBearer (<see cref="PlainJwtBearerApi"/>,
/// also its own process), with the same token, alternating rounds in one run so both see the same machine.
/// </summary>
public static class OverheadRun
{
    private const string Path = "/purchase-orders?limit=1";

    public static async Task<int> RunAsync(int seconds, int rounds, int concurrency, string? jsonLinesPath)
    {
        using var portal = new BenchPortal();
        portal.Start();
        using var portalHttp = new HttpClient { BaseAddress = portal.BaseAddress };
        var token = await AccessWorld.TokenAsync(portalHttp, DemoDataSeeder.ErpClientId, DemoDataSeeder.ErpClientSecret, "purchase-orders", "orders.read");

        await using var library = ApiProcess.StartDemoApi(portal.Authority);
        await using var plain = ApiProcess.Start(typeof(OverheadRun).Assembly.Location, ["serve-plain", .. PlainArguments(portal.Authority)]);
        foreach (var api in new[] { library, plain })
        {
            await api.WaitUntilAsync(async http =>
            {
                using var response = await http.SendAsync(AccessWorld.ApiRequest(Path, token));
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(60));
        }

        Console.WriteLine($"portal {portal.Authority}; library API {library.BaseAddress}; plain JwtBearer API {plain.BaseAddress}");
        // A warm-up as long as a round for each: with 3 s the library's first measured round still ran partly unjitted
        // (cost ratio 1.6 in round 1, about 1.0 from round 2 on).
        Console.WriteLine($"GET {Path}, {concurrency} concurrent keep-alive clients, {rounds} rounds of {seconds} s each, alternating; {seconds} s warm-up each first");
        await LoadDriver.RunAsync("library", 0, library.BaseAddress, Path, token, concurrency, TimeSpan.FromSeconds(seconds));
        await LoadDriver.RunAsync("plain", 0, plain.BaseAddress, Path, token, concurrency, TimeSpan.FromSeconds(seconds));

        var results = new List<LoadResult>();
        for (var round = 1; round <= rounds; round++)
        {
            // Alternate which goes first, so neither always runs on the warmer (or noisier) half of a round.
            var order = round % 2 == 1 ? new[] { ("library", library), ("plain", plain) } : new[] { ("plain", plain), ("library", library) };
            foreach (var (name, api) in order)
            {
                var result = await LoadDriver.RunAsync(name, round, api.BaseAddress, Path, token, concurrency, TimeSpan.FromSeconds(seconds));
                results.Add(result);
                Console.WriteLine($"  round {round} {name,-8} {result.RequestsPerSecond,8:F0} req/s  p50 {result.P50Ms,6:F2} ms  p99 {result.P99Ms,6:F2} ms  ({result.Requests} requests, {result.Failures} failures)");
            }
        }

        var libraryRate = Median(results.Where(r => r.Name == "library").Select(r => r.RequestsPerSecond));
        var plainRate = Median(results.Where(r => r.Name == "plain").Select(r => r.RequestsPerSecond));
        var costRatio = plainRate / libraryRate;
        Console.WriteLine();
        Console.WriteLine($"median req/s: library {libraryRate:F0}, plain JwtBearer {plainRate:F0}");
        Console.WriteLine($"cost ratio (time per request, library / plain): {costRatio:F3} — goal <= 1.1: {(costRatio <= 1.1 ? "met" : "NOT met")}");
        var perRound = results.GroupBy(r => r.Round).Select(g => g.Single(r => r.Name == "plain").RequestsPerSecond / g.Single(r => r.Name == "library").RequestsPerSecond).ToList();
        Console.WriteLine($"per-round cost ratios: {string.Join(", ", perRound.Select(r => r.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");

        if (jsonLinesPath is not null)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(jsonLinesPath))!);
            await File.WriteAllLinesAsync(jsonLinesPath, results.Select(r => JsonSerializer.Serialize(r)));
        }

        return results.Any(r => r.Failures > 0) ? 1 : 0;
    }

    /// <summary>The demo API's own settings, on the command line, for its plain-JwtBearer twin.</summary>
    public static IEnumerable<string> PlainArguments(string authority) =>
    [
        $"--PartnerGate:Authority={authority}",
        "--PartnerGate:Audience=https://supply.acme.example/purchase-orders",
        "--PartnerGate:AdditionalAudiences:0=https://supply.acme.example/demand-forecast",
        "--PartnerGate:AdditionalAudiences:1=https://supply.acme.example/inventory",
        "--PartnerGate:AdditionalAudiences:2=https://supply.acme.example/line-telemetry",
        "--PartnerGate:AdditionalAudiences:3=https://supply.acme.example/quality-records",
    ];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
