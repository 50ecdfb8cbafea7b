using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Auditing;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Audit;
using PartnerGate.Web.Features.Grants;

namespace PartnerGate.IntegrationTests.Features.AccessRequests;

/// <summary>The workflow at the handler level on SQLite and PostgreSQL: invariants 3, 6 and 7, concurrency, auto-approval.</summary>
public sealed class AccessWorkflowTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task LineTelemetry_NeedsTwoDistinctApprovers_ThenBecomesAnActiveGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var bob = await app.NewBoltNutUserAsync();
        // Line telemetry requires a multi-factor sign-in; this test is about the approvals after it.
        var requestId = await app.SubmittedAsync(bob, "line-telemetry", "telemetry.read", TimeSpan.FromHours(4), multiFactorSession: true);

        var first = await app.ApproveAsync("approver@acme.example", requestId);
        var again = await app.ApproveAsync("approver@acme.example", requestId);
        var second = await app.ApproveAsync("approver2@acme.example", requestId);

        Assert.Equal(new ApprovalOutcome(null, 1), first.Value);
        Assert.Equal("request.already_decided_by_you", again.Error!.Code);
        var grantId = Assert.IsType<Guid>(second.Value.GrantId);
        await using var db = app.CreateDbContext();
        var grant = await db.Grants.SingleAsync(g => g.Id == grantId);
        var request = await db.AccessRequests.Include(r => r.Decisions).SingleAsync(r => r.Id == requestId);
        Assert.Equal(GrantStatus.Active, grant.Status);
        Assert.Equal(request.NotAfter, grant.NotAfter);
        Assert.Equal(["telemetry.read"], grant.Scopes);
        Assert.Equal(AccessRequestStatus.Approved, request.Status);
        Assert.Equal(2, request.Decisions.Select(d => d.ApproverId).Distinct().Count());

        // Invariant 6: each change wrote its event, and the chain still verifies end to end.
        var actions = await db.AuditEvents.Where(e => e.TargetId == requestId.ToString() || e.TargetId == grantId.ToString())
            .OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync();
        Assert.Equal(["request.submitted", "request.approved", "request.approved", "grant.created"], actions);
        var chain = await app.SendAsync<Result<AuditChainVerification>>(new VerifyAuditChainQuery(), "admin@acme.example");
        Assert.True(chain.Value.IsIntact, chain.Value.Problem);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task TwoApproversAtTheSameMoment_ExactlyOneOutcome_OtherSeesAlreadyDecided(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var bob = await app.NewBoltNutUserAsync();
        var requestId = await app.SubmittedAsync(bob, "purchase-orders", "orders.read", TimeSpan.FromDays(1));

        // One approves while the other denies: both are valid decisions on their own, only one may win.
        var approve = app.ApproveAsync("approver@acme.example", requestId);
        var deny = app.SendAsync<Result>(new DenyAccessRequestCommand(requestId, "Not this week."), "approver2@acme.example");
        await Task.WhenAll(approve, deny);
        IResultBase[] results = [await approve, await deny];

        Assert.Single(results, r => r.IsSuccess);
        var loser = Assert.Single(results, r => !r.IsSuccess);
        Assert.Equal(ErrorKind.Conflict, loser.Error!.Kind);
        Assert.Contains("already", loser.Error.Message, StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        var request = await db.AccessRequests.Include(r => r.Decisions).SingleAsync(r => r.Id == requestId);
        Assert.Single(request.Decisions);
        Assert.Equal(request.Status == AccessRequestStatus.Approved ? 1 : 0, await db.Grants.CountAsync(g => g.AccessRequestId == requestId));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task DemandForecast_UpToEightHours_IsAutoApprovedAndRecorded_LongerWaitsForAnApprover(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var bob = await app.NewBoltNutUserAsync();

        var shortRequest = await app.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(8));
        var longRequest = await app.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(9), startsAt: DateTimeOffset.UtcNow.AddDays(2));

        Assert.True(shortRequest.Value.AutoApproved);
        Assert.False(longRequest.Value.AutoApproved);
        await using var db = app.CreateDbContext();
        var grant = await db.Grants.SingleAsync(g => g.Id == shortRequest.Value.GrantId);
        Assert.True(grant.AutoApproved);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.TargetId == shortRequest.Value.RequestId.ToString() && e.Action == "request.auto_approved"));
        Assert.Equal(AccessRequestStatus.Pending, (await db.AccessRequests.SingleAsync(r => r.Id == longRequest.Value.RequestId)).Status);
    }

    public static TheoryData<string, string, string[], int, int, string> Refusals => new()
    {
        // resource, scope(s), duration hours, start offset hours, expected code
        { "purchase-orders-cap", "purchase-orders", ["orders.read"], 8 * 24, 0, "request.duration_beyond_cap" },
        { "foreign-scope", "purchase-orders", ["orders.read", "telemetry.read"], 1, 0, "request.scope_not_of_resource" },
        { "zero-duration", "purchase-orders", ["orders.read"], 0, 0, "validation_failed" },
        { "start-in-past", "purchase-orders", ["orders.read"], 1, -3, "request.start_in_past" },
        { "no-scopes", "purchase-orders", [], 1, 0, "validation_failed" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task RequestAccess_BadInputOrBeyondPolicy_IsRefusedClearly_AndWritesNothing(string label, string resource, string[] scopes, int hours, int startOffsetHours, string code)
    {
        var bob = await sqlite.NewBoltNutUserAsync();
        DateTimeOffset? start = startOffsetHours == 0 ? null : DateTimeOffset.UtcNow.AddHours(startOffsetHours);

        var result = await sqlite.RequestAsync(bob, resource, scopes, TimeSpan.FromHours(hours), start);

        Assert.False(result.IsSuccess, label);
        Assert.Equal(code, result.Error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        await using var db = sqlite.CreateDbContext();
        var userId = await db.Users.Where(u => u.Email == bob).Select(u => u.Id).SingleAsync();
        Assert.False(await db.AccessRequests.AnyAsync(r => r.RequestedByUserId == userId));
        Assert.False(await db.AuditEvents.AnyAsync(e => e.ActorId == userId.ToString()));
    }

    [Fact]
    public async Task RequestAccess_BeyondCap_MessageNamesTheCap()
    {
        var bob = await sqlite.NewBoltNutUserAsync();

        var result = await sqlite.RequestAsync(bob, "line-telemetry", ["telemetry.read"], TimeSpan.FromHours(9));

        Assert.Equal("Line telemetry allows at most 8 hours; you asked for 9 hours.", result.Error!.Message);
    }

    [Fact]
    public async Task RequestAccess_SensorTechWithLapsedTisax_IsRefusedForLineTelemetry()
    {
        var result = await sqlite.RequestAsync("dave@sensortech.example", "line-telemetry", ["telemetry.read"], TimeSpan.FromHours(2));

        Assert.Equal("request.certification_missing", result.Error!.Code);
        Assert.Contains("TISAX", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAccess_IdenticalPendingRequest_IsRefused_DifferentScopesAreNot()
    {
        var bob = await sqlite.NewBoltNutUserAsync();
        await sqlite.SubmittedAsync(bob, "purchase-orders", "orders.read", TimeSpan.FromDays(1));

        var same = await sqlite.RequestAsync(bob, "purchase-orders", ["orders.read"], TimeSpan.FromHours(5));
        var other = await sqlite.RequestAsync(bob, "purchase-orders", ["orders.acknowledge"], TimeSpan.FromHours(5));

        Assert.Equal("request.duplicate_pending", same.Error!.Code);
        Assert.True(other.IsSuccess);
    }

    [Fact]
    public async Task RequestAccess_UnknownResource_IsNotFound()
    {
        var bob = await sqlite.NewBoltNutUserAsync();

        var result = await sqlite.SendAsync<Result<RequestAccessOutcome>>(
            new RequestAccessCommand(Guid.NewGuid(), ["orders.read"], null, TimeSpan.FromHours(1), Workflow.Justification, null), bob);

        Assert.Equal(ErrorKind.NotFound, result.Error!.Kind);
    }

    [Theory]
    [InlineData("approver@acme.example")]
    [InlineData("admin@acme.example")]
    public async Task RequestAccess_ByManufacturerStaff_IsForbidden(string email)
    {
        var result = await sqlite.RequestAsync(email, "inventory", ["inventory.read"], TimeSpan.FromHours(1));

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }

    [Theory]
    [InlineData("alice@boltnut.example")]
    [InlineData("carol@fastfreight.example")]
    public async Task Approve_ByPartnerAdmin_IsForbidden_EvenForOwnPartnersRequest(string email)
    {
        var bob = await sqlite.NewBoltNutUserAsync();
        var requestId = await sqlite.SubmittedAsync(bob, "inventory", "inventory.read", TimeSpan.FromDays(1));

        var result = await sqlite.ApproveAsync(email, requestId);

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
        await using var db = sqlite.CreateDbContext();
        Assert.Empty(await db.ApprovalDecisions.Where(d => d.AccessRequestId == requestId).ToListAsync());
    }

    [Fact]
    public async Task Approve_WithLongerWindow_IsRefused_WithShorterWindow_GrantEndsThen()
    {
        var bob = await sqlite.NewBoltNutUserAsync();
        var requestId = await sqlite.SubmittedAsync(bob, "inventory", "inventory.read", TimeSpan.FromDays(2));
        await using var db = sqlite.CreateDbContext();
        var requested = await db.AccessRequests.SingleAsync(r => r.Id == requestId);

        var longer = await sqlite.ApproveAsync("approver@acme.example", requestId, requested.NotAfter.AddHours(1));
        var shorter = await sqlite.ApproveAsync("approver@acme.example", requestId, requested.NotBefore.AddHours(6));

        Assert.Equal("request.window_longer", longer.Error!.Code);
        var grant = await db.Grants.SingleAsync(g => g.Id == shorter.Value.GrantId);
        Assert.Equal(requested.NotBefore.AddHours(6), grant.NotAfter);
    }

    [Fact]
    public async Task Deny_WithoutComment_IsRefused_WithComment_RequesterSeesIt()
    {
        var bob = await sqlite.NewBoltNutUserAsync();
        var requestId = await sqlite.SubmittedAsync(bob, "quality-records", "quality.read", TimeSpan.FromDays(1));

        var empty = await sqlite.SendAsync<Result>(new DenyAccessRequestCommand(requestId, "  "), "approver@acme.example");
        var denied = await sqlite.SendAsync<Result>(new DenyAccessRequestCommand(requestId, "Quality audit is closed this month."), "approver@acme.example");

        Assert.Equal(ErrorKind.Validation, empty.Error!.Kind);
        Assert.True(denied.IsSuccess);
        var mine = await sqlite.SendAsync<Result<IReadOnlyList<AccessRequestSummary>>>(new ListMyAccessRequestsQuery(), bob);
        var summary = Assert.Single(mine.Value);
        Assert.Equal(AccessRequestStatus.Denied, summary.Status);
        Assert.Equal("Quality audit is closed this month.", Assert.Single(summary.Decisions).Comment);
    }

    [Fact]
    public async Task Revoke_ByApprover_NeedsReason_ThenGrantIsRevoked_PartnerCanGiveUpOwn()
    {
        var bob = await sqlite.NewBoltNutUserAsync();
        var first = await sqlite.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(2));
        var second = await sqlite.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(2), DateTimeOffset.UtcNow.AddDays(3));
        var firstGrant = first.Value.GrantId!.Value;
        var secondGrant = second.Value.GrantId!.Value;

        var noReason = await sqlite.SendAsync<Result>(new RevokeGrantCommand(firstGrant, null), "approver@acme.example");
        var revoked = await sqlite.SendAsync<Result>(new RevokeGrantCommand(firstGrant, "Supplier asked us to end it."), "approver@acme.example");
        var givenUp = await sqlite.SendAsync<Result>(new RevokeGrantCommand(secondGrant, null), bob);

        Assert.Equal("grant.revoke_reason_required", noReason.Error!.Code);
        Assert.True(revoked.IsSuccess);
        Assert.True(givenUp.IsSuccess);
        await using var db = sqlite.CreateDbContext();
        Assert.All(await db.Grants.Where(g => g.Id == firstGrant || g.Id == secondGrant).ToListAsync(), g => Assert.Equal(GrantStatus.Revoked, g.Status));
        var revocation = await db.AuditEvents.SingleAsync(e => e.TargetId == firstGrant.ToString() && e.Action == "grant.revoked");
        Assert.Contains("\"before\":\"Active\",\"after\":\"Revoked\"", revocation.Details, StringComparison.Ordinal);
        Assert.Contains("Supplier asked us to end it.", revocation.Details, StringComparison.Ordinal);
        Assert.True(await db.AuditEvents.AnyAsync(e => e.TargetId == secondGrant.ToString() && e.Action == "grant.given_up"));
    }

    [Fact]
    public async Task Inbox_ShowsWhatWaitsForMe_OldestFirst_AndDropsWhatIApproved()
    {
        var bob = await sqlite.NewBoltNutUserAsync();
        var requestId = await sqlite.SubmittedAsync(bob, "line-telemetry", "telemetry.read", TimeSpan.FromHours(3), multiFactorSession: true);
        var search = new GetApprovalInboxQuery(PageSize: 200, Search: "Test user");

        var before = await sqlite.SendAsync<Result<InboxPage>>(search, "approver@acme.example");
        await sqlite.ApproveAsync("approver@acme.example", requestId);
        var afterForApprover = await sqlite.SendAsync<Result<InboxPage>>(search, "approver@acme.example");
        var afterForApprover2 = await sqlite.SendAsync<Result<InboxPage>>(search, "approver2@acme.example");

        Assert.Contains(before.Value.Items, i => i.RequestId == requestId);
        Assert.DoesNotContain(afterForApprover.Value.Items, i => i.RequestId == requestId);
        var item = Assert.Single(afterForApprover2.Value.Items, i => i.RequestId == requestId);
        Assert.Equal(1, item.ApprovalsSoFar);
        Assert.Equal("BoltNut Supply", item.PartnerName);
        Assert.Equal(afterForApprover2.Value.Items.OrderBy(i => i.SubmittedAt).Select(i => i.RequestId), afterForApprover2.Value.Items.Select(i => i.RequestId));
    }

    [Fact]
    public async Task Inbox_BadPaging_IsAValidationError()
    {
        var result = await sqlite.SendAsync<Result<InboxPage>>(new GetApprovalInboxQuery(Page: -1, PageSize: 10_000), "approver@acme.example");

        Assert.Equal(ErrorKind.Validation, result.Error!.Kind);
        Assert.Contains("Page", result.Error.FieldErrors!.Keys);
        Assert.Contains("PageSize", result.Error.FieldErrors!.Keys);
    }

    [Theory]
    [InlineData("approver@acme.example")]
    [InlineData("bob@boltnut.example")]
    public async Task VerifyAuditChain_OnlyForAdministrators(string email)
    {
        var result = await sqlite.SendAsync<Result<AuditChainVerification>>(new VerifyAuditChainQuery(), email);

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }
}
