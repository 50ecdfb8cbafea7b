using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace PartnerGate.TokenLoad;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [] or ["-h"] or ["--help"])
        {
            Console.WriteLine(LoadOptions.Usage);
            return args.Length == 0 ? 2 : 0;
        }

        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine($"error: {exception.Message}");
            Console.Error.WriteLine(LoadOptions.Usage);
            return 2;
        }

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        using var handler = CreateHandler(options.Concurrency);
        using var client = new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var requests = new TokenRequestFactory(options);

        try
        {
            if (await FirstTokenCheck.RunAsync(client, requests, cancellation.Token) is { } problem)
            {
                Console.Error.WriteLine($"error: {options.Label}: {problem}");
                return 1;
            }
            var result = await new LoadRun(client, requests, options).RunAsync(cancellation.Token);
            Report(options, result);
            return result.Tokens > 0 ? 0 : 1;
        }
        catch (HttpRequestException exception)
        {
            Console.Error.WriteLine($"error: {options.Label}: {options.Url}: {exception.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    private static SocketsHttpHandler CreateHandler(int concurrency) => new()
    {
        // One connection per worker, kept for the whole run: the bench measures token issuance, not TCP set-up.
        MaxConnectionsPerServer = concurrency,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    private static void Report(LoadOptions options, LoadResult result)
    {
        var measured = result.Measured.TotalSeconds;
        var serverCpuPercent = result.ServerCpu is { } server ? 100 * server.TotalSeconds / measured : (double?)null;
        // Tokens per second of server CPU time: the per-core figure, whatever the server's thread count.
        var tokensPerServerCpuSecond = result.ServerCpu is { TotalSeconds: > 0 } busy ? result.Tokens / busy.TotalSeconds : (double?)null;

        var fields = new List<(string Name, object? Value)>
        {
            ("label", options.Label),
            ("tokens_per_s", Round(result.TokensPerSecond, 1)),
            ("p50_ms", Round(result.Percentile(0.50), 2)),
            ("p99_ms", Round(result.Percentile(0.99), 2)),
            ("p999_ms", Round(result.Percentile(0.999), 2)),
            ("max_ms", Round(result.LatenciesMs.Length == 0 ? null : result.LatenciesMs[^1], 2)),
            ("errors", result.Errors),
            ("requests", result.Requests),
            ("concurrency", options.Concurrency),
            ("duration_s", Round(measured, 1)),
            ("server_cpu_pct", Round(serverCpuPercent, 1)),
            ("tokens_per_server_cpu_s", Round(tokensPerServerCpuSecond, 1)),
            ("driver_cpu_pct", Round(100 * result.DriverCpu.TotalSeconds / measured, 1)),
        };

        foreach (var error in result.FirstErrors)
        {
            Console.WriteLine($"error_sample label={options.Label} {error}");
        }
        Console.WriteLine(string.Join(' ', fields.Select(field => $"{field.Name}={Format(field.Value)}")));

        if (options.JsonPath is not null)
        {
            // No BOM: the file is JSON lines, read by tools that would take a BOM as part of the first line.
            File.AppendAllText(options.JsonPath, JsonLine(fields) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
    }

    private static string JsonLine(List<(string Name, object? Value)> fields)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                switch (value)
                {
                    case null: writer.WriteNull(name); break;
                    case string text: writer.WriteString(name, text); break;
                    case int number: writer.WriteNumber(name, number); break;
                    case double number: writer.WriteNumber(name, number); break;
                    default: throw new InvalidOperationException($"unexpected value type for {name}");
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static double? Round(double? value, int digits) => value is { } number ? Math.Round(number, digits) : null;

    // "na" rather than an empty value keeps every line splittable on spaces and '='.
    private static string Format(object? value) => value switch
    {
        null => "na",
        string text => text.Replace(' ', '_'),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "na",
    };
}
