using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Audit;

namespace PartnerGate.IntegrationTests.Features.Audit;

/// <summary>The audit viewer's query on real databases: filters, paging newest first, and invariant 4 (partner admins see their partner only).</summary>
public sealed class ListAuditEventsTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private const string Admin = AuditWorld.Administrator;
    private static readonly Guid BoltNut = AuditWorld.BoltNut;
    private static readonly Guid FastFreight = AuditWorld.FastFreight;
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task List_ThirtyEvents_PagesNewestFirstWithTotal(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var marker = AuditWorld.NewMarker();
        var seeded = await app.AppendAsync(DateTimeOffset.UtcNow, Enumerable.Range(0, 30)
            .Select(i => new SeededEvent(BoltNut, $"{marker}.step", "Tess", "Thing", $"{marker}-{i}")).ToArray());
        var filter = AuditEventFilter.None with { Action = $"{marker}.*" };

        var first = await app.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(filter, Page: 0, PageSize: 25), Admin);
        var second = await app.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(filter, Page: 1, PageSize: 25), Admin);

        Assert.Equal(30, first.Value.Total);
        Assert.Equal(seeded.Select(e => e.Sequence).OrderDescending(), first.Value.Items.Concat(second.Value.Items).Select(e => e.Sequence));
        Assert.Equal(25, first.Value.Items.Count);
        Assert.Equal(5, second.Value.Items.Count);
        var newest = first.Value.Items[0];
        Assert.Equal(seeded[^1].Hash, newest.Hash);
        Assert.Equal(seeded[^1].PreviousHash, newest.PreviousHash);
        Assert.Equal("BoltNut Supply", newest.PartnerName);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task List_EachFilter_NarrowsToMatchingEvents(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var marker = AuditWorld.NewMarker();
        var early = new DateTimeOffset(2091, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var late = early.AddDays(10);
        await app.AppendAsync(early,
            new SeededEvent(BoltNut, $"{marker}.grant.revoked", "Ann", "Grant", $"{marker}-g1", ActorId: $"{marker}-ann"),
            new SeededEvent(FastFreight, $"{marker}.grant.approved", "Ben", "Grant", $"{marker}-g2", ActorId: $"{marker}-ben"));
        await app.AppendAsync(late,
            new SeededEvent(BoltNut, $"{marker}.client.disabled", "Ann", "ApiClient", $"{marker}-c1", ActorId: $"{marker}-ann"),
            new SeededEvent(null, $"{marker}.resource.changed", "Ben", "Resource", $"{marker}-r1", ActorId: $"{marker}-ben"));

        async Task<string[]> TargetsAsync(AuditEventFilter filter)
        {
            var page = await app.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(filter with { Action = filter.Action ?? $"{marker}.*" }), Admin);
            Assert.True(page.IsSuccess, page.Error?.Message);
            return page.Value.Items.Select(e => e.TargetId).Order(StringComparer.Ordinal).ToArray();
        }

        var none = AuditEventFilter.None;
        Assert.Equal([$"{marker}-c1", $"{marker}-g1", $"{marker}-g2", $"{marker}-r1"], await TargetsAsync(none));
        Assert.Equal([$"{marker}-g1", $"{marker}-g2"], await TargetsAsync(none with { Action = $"{marker}.grant.*" }));
        Assert.Equal([$"{marker}-g2"], await TargetsAsync(none with { Action = $"{marker}.grant.approved" }));
        Assert.Equal([$"{marker}-c1", $"{marker}-g1"], await TargetsAsync(none with { PartnerId = BoltNut }));
        Assert.Equal([$"{marker}-g2", $"{marker}-r1"], await TargetsAsync(none with { Actor = $"{marker}-ben" }));
        Assert.Equal([$"{marker}-c1"], await TargetsAsync(none with { Target = $"{marker}-c1" }));
        Assert.Equal([$"{marker}-c1"], await TargetsAsync(none with { Target = "ApiClient" }));
        Assert.Equal([$"{marker}-g1", $"{marker}-g2"], await TargetsAsync(none with { From = early, To = early.AddDays(1) }));
        Assert.Equal([$"{marker}-c1", $"{marker}-r1"], await TargetsAsync(none with { From = early.AddDays(1) }));
        Assert.Equal([$"{marker}-c1"], await TargetsAsync(none with { PartnerId = BoltNut, Actor = $"{marker}-ann", From = late }));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task List_PartnerAdmin_SeesOwnPartnerOnly_AndAHostilePartnerFilterGivesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var marker = AuditWorld.NewMarker();
        await app.AppendAsync(DateTimeOffset.UtcNow,
            new SeededEvent(BoltNut, $"{marker}.a", "Ann", "Grant", $"{marker}-bolt"),
            new SeededEvent(FastFreight, $"{marker}.a", "Ann", "Grant", $"{marker}-fast"),
            new SeededEvent(null, $"{marker}.a", "Ann", "Resource", $"{marker}-none"));
        var mine = AuditEventFilter.None with { Action = $"{marker}.*" };

        var alice = await app.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(mine), "alice@boltnut.example");
        var aliceOwn = await app.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(mine with { PartnerId = BoltNut }), "alice@boltnut.example");
        var hostile = await app.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(mine with { PartnerId = FastFreight }), "alice@boltnut.example");
        var carol = await app.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(mine), "carol@fastfreight.example");

        Assert.Equal([$"{marker}-bolt"], alice.Value.Items.Select(e => e.TargetId));
        Assert.Equal(1, alice.Value.Total);
        Assert.Equal([$"{marker}-bolt"], aliceOwn.Value.Items.Select(e => e.TargetId));
        Assert.Equal(0, hostile.Value.Total);
        Assert.Empty(hostile.Value.Items);
        Assert.Equal([$"{marker}-fast"], carol.Value.Items.Select(e => e.TargetId));
    }

    [Theory]
    [InlineData("bob@boltnut.example")]
    [InlineData("dave@sensortech.example")]
    [InlineData("approver@acme.example")]
    public async Task List_PartnerUserOrApprover_IsForbidden(string email)
    {
        var result = await sqlite.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(AuditEventFilter.None), email);

        Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);
    }

    [Fact]
    public async Task List_BadFilterOrPageSize_IsAValidationError()
    {
        var backwards = AuditEventFilter.None with { From = DateTimeOffset.UtcNow, To = DateTimeOffset.UtcNow.AddHours(-1) };

        var badRange = await sqlite.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(backwards), Admin);
        var badSize = await sqlite.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(AuditEventFilter.None, PageSize: 1000), Admin);
        var longActor = await sqlite.SendAsync<Result<AuditEventPage>>(new ListAuditEventsQuery(AuditEventFilter.None with { Actor = new string('x', 201) }), Admin);

        Assert.Equal(ErrorKind.Validation, badRange.Error?.Kind);
        Assert.Contains("'from' must be before 'to'", badRange.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.Validation, badSize.Error?.Kind);
        Assert.Equal(ErrorKind.Validation, longActor.Error?.Kind);
    }
}
