using System.Diagnostics;
using System.Net;

namespace PartnerGate.RevocationBench;

/// <summary>What one timed round against one API gave.</summary>
public sealed record LoadResult(string Name, int Round, int Requests, int Failures, double Seconds, double RequestsPerSecond, double P50Ms, double P99Ms);

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers each send the same authenticated GET back to back for a fixed
/// time, over keep-alive connections. Failures (anything but 200) are counted and reported, never hidden.
/// </summary>
public static class LoadDriver
{
    public static async Task<LoadResult> RunAsync(string name, int round, Uri baseAddress, string path, string token, int concurrency, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var own = latencies[worker] = new List<double>(100_000);
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new LoadResult(name, round, all.Count, failures, seconds, all.Count / seconds,
            Statistics.Percentile(all, 50), Statistics.Percentile(all, 99));
    }
}
