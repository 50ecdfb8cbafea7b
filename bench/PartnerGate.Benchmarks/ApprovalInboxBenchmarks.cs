using BenchmarkDotNet.Attributes;
using PartnerGate.Web.Features.AccessRequests;

namespace PartnerGate.Benchmarks;

/// <summary>
/// The approval inbox of approver@acme.example with 10,000 pending requests: the naive in-memory peer
/// (baseline), the real query through the real Mediator pipeline, and the page over HTTP.
/// </summary>
[Config(typeof(InboxBenchmarkConfig))]
[MemoryDiagnoser]
public class ApprovalInboxBenchmarks
{
    private InboxFixture fixture = null!;

    [GlobalSetup]
    public void Setup() => fixture = InboxFixture.Create();

    [GlobalCleanup]
    public void Cleanup() => fixture.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "Naive: load all pending + names, filter/sort/page in C#; first page")]
    public Task<InboxPage> NaiveFirstPage() => fixture.NaiveAsync(InboxFixture.FirstPage);

    [Benchmark(Description = "Naive: same, search 'bolt', page 200")]
    public Task<InboxPage> NaiveSearchDeepPage() => fixture.NaiveAsync(InboxFixture.SearchDeepPage);

    [Benchmark(Description = "GetApprovalInboxQuery via Mediator pipeline; first page (25)")]
    public Task<InboxPage> PipelineFirstPage() => fixture.SendAsync(InboxFixture.FirstPage);

    [Benchmark(Description = "GetApprovalInboxQuery via Mediator pipeline; search 'bolt', page 200")]
    public Task<InboxPage> PipelineSearchDeepPage() => fixture.SendAsync(InboxFixture.SearchDeepPage);

    [Benchmark(Description = "GET /inbox, signed in (prerender: page frame, no rows)")]
    public async Task<int> InboxPageHttp() => (await fixture.GetInboxHtmlAsync()).Length;
}
