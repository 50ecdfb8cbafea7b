using System.Diagnostics;
using System.Text;

namespace PartnerGate.TokenLoad;

internal sealed record LoadResult(
    int Tokens,
    int Errors,
    TimeSpan Measured,
    double[] LatenciesMs,
    IReadOnlyList<string> FirstErrors,
    TimeSpan? ServerCpu,
    TimeSpan DriverCpu)
{
    public int Requests => Tokens + Errors;

    public double TokensPerSecond => Tokens / Measured.TotalSeconds;

    /// <summary>Nearest-rank percentile of the successful requests' latencies (sorted ascending).</summary>
    public double? Percentile(double fraction) =>
        LatenciesMs.Length == 0 ? null : LatenciesMs[Math.Clamp((int)Math.Ceiling(fraction * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];
}

/// <summary>
/// A closed loop: N workers, each sending its next request as soon as the previous answer is read. Only
/// answers that arrive inside the measured window count, so warm-up (JIT, connection set-up, caches) is
/// excluded and every request in flight at the end is dropped rather than cut short.
/// </summary>
internal sealed class LoadRun(HttpClient client, TokenRequestFactory requests, LoadOptions options)
{
    private const int MaxDistinctErrors = 3;

    private readonly Lock errorsLock = new();
    private readonly List<string> firstErrors = [];
    private int errors;

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var measureStart = start + ToTicks(options.Warmup);
        var measureEnd = measureStart + ToTicks(options.Duration);

        var cpu = SampleCpuAsync(measureStart, measureEnd, cancellationToken);
        var workers = Enumerable.Range(0, options.Concurrency)
            .Select(_ => Task.Run(() => WorkerAsync(measureStart, measureEnd, cancellationToken), cancellationToken))
            .ToArray();
        var latencies = await Task.WhenAll(workers);
        var (serverCpu, driverCpu) = await cpu;

        var all = latencies.SelectMany(ticks => ticks).Select(ticks => ticks * 1000.0 / Stopwatch.Frequency).ToArray();
        Array.Sort(all);
        return new LoadResult(all.Length, errors, options.Duration, all, firstErrors, serverCpu, driverCpu);
    }

    private async Task<List<long>> WorkerAsync(long measureStart, long measureEnd, CancellationToken cancellationToken)
    {
        var latencies = new List<long>(capacity: 4096);
        while (!cancellationToken.IsCancellationRequested)
        {
            var sent = Stopwatch.GetTimestamp();
            if (sent >= measureEnd)
            {
                break;
            }

            string? error;
            try
            {
                using var request = requests.Create();
                using var response = await client.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                error = (int)response.StatusCode != 200 ? $"{(int)response.StatusCode} {Shorten(Encoding.UTF8.GetString(body))}"
                    // A 200 without a token would inflate tokens/s; the first-token check proved the shape once.
                    : body.AsSpan().IndexOf("\"access_token\""u8) < 0 ? $"200 without access_token: {Shorten(Encoding.UTF8.GetString(body))}"
                    : null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                error = $"{exception.GetType().Name}: {exception.Message}";
            }

            var received = Stopwatch.GetTimestamp();
            if (received < measureStart || received >= measureEnd)
            {
                continue;
            }
            if (error is null)
            {
                latencies.Add(received - sent);
            }
            else
            {
                RecordError(error);
            }
        }
        return latencies;
    }

    private void RecordError(string error)
    {
        Interlocked.Increment(ref errors);
        lock (errorsLock)
        {
            if (firstErrors.Count < MaxDistinctErrors && !firstErrors.Contains(error))
            {
                firstErrors.Add(error);
            }
        }
    }

    /// <summary>CPU used during the measured window only: the server's process tree, and this driver.</summary>
    private async Task<(TimeSpan? Server, TimeSpan Driver)> SampleCpuAsync(long measureStart, long measureEnd, CancellationToken cancellationToken)
    {
        await Task.Delay(Until(measureStart), cancellationToken);
        var serverBefore = ProcessTreeCpu.Read(options.ServerPids);
        var driverBefore = Environment.CpuUsage.TotalTime;

        await Task.Delay(Until(measureEnd), cancellationToken);
        var serverAfter = ProcessTreeCpu.Read(options.ServerPids);
        var driverAfter = Environment.CpuUsage.TotalTime;

        return (serverAfter - serverBefore, driverAfter - driverBefore);
    }

    internal static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    private static TimeSpan Until(long timestamp)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
