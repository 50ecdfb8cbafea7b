using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PartnerGate.Web.Features.AccessRequests;

namespace PartnerGate.Benchmarks;

/// <summary>
/// The suggested change measured against what ships, per scenario (each category has its own baseline: the
/// shipped handler called directly, so neither side pays the pipeline). "Proposed" is the bench copy in
/// <see cref="ProposedApprovalInbox"/>; "+ index" also has <see cref="InboxFixture.ProposedIndex"/>.
/// </summary>
[Config(typeof(InboxBenchmarkConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class InboxQueryProposalBenchmarks
{
    private const string First = "First page";
    private const string Deep = "Search 'bolt', page 200";

    private InboxFixture fixture = null!;

    [GlobalSetup(Targets = [nameof(ShippedFirstPage), nameof(ShippedSearchDeepPage), nameof(ProposedFirstPage), nameof(ProposedSearchDeepPage)])]
    public void Setup() => fixture = InboxFixture.Create();

    [GlobalSetup(Targets = [nameof(ShippedWithIndexFirstPage), nameof(ShippedWithIndexSearchDeepPage), nameof(ProposedWithIndexFirstPage), nameof(ProposedWithIndexSearchDeepPage)])]
    public void SetupWithIndex() => fixture = InboxFixture.Create(withProposedIndex: true);

    [GlobalCleanup]
    public void Cleanup() => fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "Shipped handler, direct")]
    [BenchmarkCategory(First)]
    public Task<InboxPage> ShippedFirstPage() => fixture.HandlerAsync(InboxFixture.FirstPage);

    [Benchmark(Description = "Shipped handler + index")]
    [BenchmarkCategory(First)]
    public Task<InboxPage> ShippedWithIndexFirstPage() => fixture.HandlerAsync(InboxFixture.FirstPage);

    [Benchmark(Description = "Proposed query")]
    [BenchmarkCategory(First)]
    public Task<InboxPage> ProposedFirstPage() => fixture.ProposedAsync(InboxFixture.FirstPage);

    [Benchmark(Description = "Proposed query + index")]
    [BenchmarkCategory(First)]
    public Task<InboxPage> ProposedWithIndexFirstPage() => fixture.ProposedAsync(InboxFixture.FirstPage);

    [Benchmark(Baseline = true, Description = "Shipped handler, direct")]
    [BenchmarkCategory(Deep)]
    public Task<InboxPage> ShippedSearchDeepPage() => fixture.HandlerAsync(InboxFixture.SearchDeepPage);

    [Benchmark(Description = "Shipped handler + index")]
    [BenchmarkCategory(Deep)]
    public Task<InboxPage> ShippedWithIndexSearchDeepPage() => fixture.HandlerAsync(InboxFixture.SearchDeepPage);

    [Benchmark(Description = "Proposed query")]
    [BenchmarkCategory(Deep)]
    public Task<InboxPage> ProposedSearchDeepPage() => fixture.ProposedAsync(InboxFixture.SearchDeepPage);

    [Benchmark(Description = "Proposed query + index")]
    [BenchmarkCategory(Deep)]
    public Task<InboxPage> ProposedWithIndexSearchDeepPage() => fixture.ProposedAsync(InboxFixture.SearchDeepPage);
}
