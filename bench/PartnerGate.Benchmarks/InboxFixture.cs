using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Components.Shared;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Benchmarks;

/// <summary>
/// One benchmark's world: the real app on a fresh SQLite file with 10,000 pending requests (see
/// <see cref="PendingRequestSeeder"/>), approver@acme.example's principal, and a browser-like HttpClient signed
/// in as them. Every way of reading the inbox is checked to give the same answer before anything is timed.
/// </summary>
public sealed partial class InboxFixture : IAsyncDisposable
{
    public const int PendingRequests = 10_000;

    /// <summary>A fragment of "BoltNut Supply": about 60 % of the requests match, so page 200 (rows 5,001–5,025) exists.</summary>
    public const string SearchTerm = "bolt";
    public const int DeepPage = 200;

    public static readonly GetApprovalInboxQuery FirstPage = new(Page: 0, PageSize: 25);
    public static readonly GetApprovalInboxQuery SearchDeepPage = new(Page: DeepPage, PageSize: 25, Search: SearchTerm);

    /// <summary>
    /// The index suggested for src (replacing IX_AccessRequests_AwaitingRole_SubmittedAt, of which it is an
    /// extension): Id completes the inbox order, and with RequestedByUserId the count needs no table row.
    /// </summary>
    public const string ProposedIndex =
        "CREATE INDEX \"IX_AccessRequests_AwaitingRole_SubmittedAt_Id_RequestedByUserId\" ON \"AccessRequests\" (\"AwaitingRole\", \"SubmittedAt\", \"Id\", \"RequestedByUserId\")";

    private ClaimsPrincipal approver = null!;
    private Guid approverId;
    private string[] approverGroups = [];

    private InboxFixture(BenchmarkApp app) => App = app;

    public BenchmarkApp App { get; }

    public HttpClient Browser { get; private set; } = null!;

    public static InboxFixture Create(bool withProposedIndex = false) => CreateAsync(withProposedIndex).GetAwaiter().GetResult();

    public static async Task<InboxFixture> CreateAsync(bool withProposedIndex = false)
    {
        var fixture = new InboxFixture(new BenchmarkApp());
        await fixture.SetupAsync(withProposedIndex);
        return fixture;
    }

    /// <summary>
    /// What a page does for each table load: a scope (a circuit's, there) whose <see cref="CurrentUser"/> is the
    /// signed-in approver, and the query sent through logging → validation → authorization → unit of work → handler.
    /// The principal is built once, as a circuit builds it once.
    /// </summary>
    public async Task<InboxPage> SendAsync(GetApprovalInboxQuery query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(approver);
        var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query);
        return result.IsSuccess ? result.Value : throw new InvalidOperationException(result.Error!.Message);
    }

    /// <summary>The shipped handler without the pipeline: the same scope, then <see cref="GetApprovalInboxHandler"/> directly.</summary>
    public async Task<InboxPage> HandlerAsync(GetApprovalInboxQuery query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var currentUser = scope.ServiceProvider.GetRequiredService<CurrentUser>();
        currentUser.Set(approver);
        var handler = new GetApprovalInboxHandler(
            scope.ServiceProvider.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>(), currentUser, scope.ServiceProvider.GetRequiredService<TimeProvider>());
        var result = await handler.Handle(query, CancellationToken.None);
        return result.IsSuccess ? result.Value : throw new InvalidOperationException(result.Error!.Message);
    }

    public async Task<InboxPage> NaiveAsync(GetApprovalInboxQuery query)
    {
        await using var db = App.CreateDbContext();
        return await NaiveApprovalInbox.LoadAsync(db, approverId, approverGroups, query);
    }

    /// <summary>The bench copy of the handler's query with the suggested change, in the same kind of scope as <see cref="HandlerAsync"/>.</summary>
    public async Task<InboxPage> ProposedAsync(GetApprovalInboxQuery query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(approver);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        return await ProposedApprovalInbox.LoadAsync(db, approverId, approverGroups, query);
    }

    public async Task<string> GetInboxHtmlAsync()
    {
        using var response = await Browser.GetAsync(new Uri("/inbox", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        return response.StatusCode == HttpStatusCode.OK ? html : throw new InvalidOperationException($"/inbox answered {(int)response.StatusCode}.");
    }

    public async Task AddProposedIndexAsync()
    {
        await using var db = App.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(ProposedIndex);
    }

    public async ValueTask DisposeAsync()
    {
        Browser?.Dispose();
        await App.DisposeAsync();
    }

    private async Task SetupAsync(bool withProposedIndex)
    {
        _ = App.Server; // start-up migrates and seeds the demo data
        var seeded = await PendingRequestSeeder.SeedAsync(App, PendingRequests);
        if (withProposedIndex)
        {
            await AddProposedIndexAsync();
        }

        approver = await App.PrincipalForAsync(PendingRequestSeeder.BenchApprover);
        approverId = Guid.Parse(approver.FindFirstValue(ClaimTypes.NameIdentifier)!);
        approverGroups = Roles.All.Where(r => Roles.IsManufacturerRole(r) && approver.IsInRole(r)).ToArray();
        Browser = await App.SignedInClientAsync(PendingRequestSeeder.BenchApprover);

        var first = await SendAsync(FirstPage);
        var deep = await SendAsync(SearchDeepPage);
        if (first.Items.Count != 25 || deep.Items.Count != 25)
        {
            throw new InvalidOperationException($"Expected full pages, got {first.Items.Count} and {deep.Items.Count} rows.");
        }

        Same("naive, first page", first, await NaiveAsync(FirstPage));
        Same("naive, search deep page", deep, await NaiveAsync(SearchDeepPage));
        Same("handler, first page", first, await HandlerAsync(FirstPage));
        Same("proposed, first page", first, await ProposedAsync(FirstPage));
        Same("proposed, search deep page", deep, await ProposedAsync(SearchDeepPage));

        var html = await GetInboxHtmlAsync();
        Console.WriteLine($"// Seeded {seeded.Pending} pending requests ({string.Join(", ", seeded.PerPartner.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}); " +
            $"line telemetry with one approval: {seeded.ApprovedOnceByOtherApprover} by {PendingRequestSeeder.OtherApprover}, {seeded.ApprovedOnceByBenchApprover} by {PendingRequestSeeder.BenchApprover}" +
            (withProposedIndex ? "; with the proposed index." : "."));
        Console.WriteLine($"// Inbox of {PendingRequestSeeder.BenchApprover}: {first.Total} requests; search '{SearchTerm}': {deep.Total}, page {DeepPage} has {deep.Items.Count} rows.");
        Console.WriteLine($"// GET /inbox: {html.Length:N0} chars; {DescribePrerender(html, first)}");
    }

    /// <summary>Whether the prerendered HTML carries the first page's rows, or only the table's frame.</summary>
    private static string DescribePrerender(string html, InboxPage firstPage)
    {
        var body = TableBody().Match(html);
        var rows = body.Success ? RowMarker().Matches(body.Value).Count : 0;
        var first = firstPage.Items[0];
        var firstRowShown = html.Contains(Display.When(first.SubmittedAt), StringComparison.Ordinal)
            && html.Contains(WebUtility.HtmlEncode(first.RequesterName), StringComparison.Ordinal);
        return $"table body rows in the HTML: {rows}; first row (submitted {Display.When(first.SubmittedAt)}, {first.RequesterName}) present: {(firstRowShown ? "yes" : "no")}; " +
            $"pager shows the total {firstPage.Total:N0}: {(html.Contains($"of {firstPage.Total}", StringComparison.Ordinal) ? "yes" : "no")}";
    }

    private static void Same(string what, InboxPage expected, InboxPage actual)
    {
        if (expected.Total != actual.Total || !expected.Items.Select(i => i.RequestId).SequenceEqual(actual.Items.Select(i => i.RequestId))
            || !expected.Items.Select(i => i.ApprovalsSoFar).SequenceEqual(actual.Items.Select(i => i.ApprovalsSoFar)))
        {
            throw new InvalidOperationException($"The pipeline and the {what} disagree: totals {expected.Total} and {actual.Total}.");
        }
    }

    [GeneratedRegex("<tbody[^>]*>.*?</tbody>", RegexOptions.Singleline)]
    private static partial Regex TableBody();

    [GeneratedRegex("<tr[^>]*mud-table-row")]
    private static partial Regex RowMarker();
}
