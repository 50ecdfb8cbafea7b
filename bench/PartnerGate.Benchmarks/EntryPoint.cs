using BenchmarkDotNet.Running;

namespace PartnerGate.Benchmarks;

/// <summary>Not top-level statements: those would declare a second <c>Program</c> beside the app's, which WebApplicationFactory&lt;Program&gt; needs.</summary>
public static class EntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        // `-- --explain` prints the inbox's SQL, SQLite's query plans and raw SQL timings instead of benchmarking.
        if (args.Contains("--explain", StringComparer.Ordinal))
        {
            await QueryPlanReport.RunAsync();
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(EntryPoint).Assembly).Run(args);
        return 0;
    }
}
