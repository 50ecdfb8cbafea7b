using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace PartnerGate.Benchmarks;

/// <summary>
/// In-process (the app is hosted inside the benchmark process, as in the tests; no generated project to
/// build), throughput, 3 warm-ups and 10 measured iterations: a noisy 2-core box gets a usable ratio in a
/// few minutes. Absolute times are only comparable within one run; compare ratios across runs.
/// </summary>
public sealed class InboxBenchmarkConfig : ManualConfig
{
    public InboxBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Throughput)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithId("InProcess"));
        Orderer = new DefaultOrderer(SummaryOrderPolicy.Declared);

        // Other work on the box lands as multi-100 ms outliers in single iterations: the median shrugs them
        // off, and the minimum is the closest this box gets to the uncontended cost.
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
    }
}
