using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.Auditing;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Features.Audit;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Data;

/// <summary>Invariant 6 against real databases: the chain survives a round trip, concurrent writers, and tampering is found.</summary>
public sealed class AuditTrailTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task AuditChain_AfterSeedingAndConcurrentCommands_VerifiesGapFree(DatabaseProvider provider)
    {
        var app = apps.For(provider);

        // Twenty sign-in commands at once, each appending to the chain in its own transaction.
        var marker = Guid.NewGuid().ToString("N");
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            app.SendAsync<Result<SignInOutcome>>(new SignInCommand($"nobody-{marker}-{i}@boltnut.example", "wrong-password-123"), asEmail: null)));

        await using var db = app.CreateDbContext();
        var events = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        var verification = AuditChainVerifier.Verify(events);
        Assert.True(verification.IsIntact, verification.Problem);
        Assert.Equal(20, events.Count(e => e.Details?.Contains(marker, StringComparison.Ordinal) == true));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Contains(events, e => e.Action == "partner.registered" && e.ActorId == "system");
        var head = await db.AuditChainHeads.SingleAsync();
        Assert.True(head.LastSequence >= events[^1].Sequence);
    }

    public static TheoryData<DatabaseProvider, string> Tampering => new()
    {
        { DatabaseProvider.Sqlite, "edited" }, { DatabaseProvider.Sqlite, "deleted" }, { DatabaseProvider.Sqlite, "reordered" },
        { DatabaseProvider.PostgreSql, "edited" }, { DatabaseProvider.PostgreSql, "deleted" }, { DatabaseProvider.PostgreSql, "reordered" },
    };

    /// <summary>
    /// Someone with write access to the database changes the chain with plain SQL (no application code involved);
    /// "verify chain", as an administrator runs it, names the first event that no longer fits and why.
    /// </summary>
    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task VerifyChain_EventTamperedWithSql_IsBrokenExactlyThere(DatabaseProvider provider, string tampering)
    {
        // A private app: this test corrupts its chain on purpose.
        await using var app = provider == DatabaseProvider.Sqlite ? new PartnerGateAppFactory(provider) : CreatePostgresApp();
        await app.InitializeAsync();
        var intact = await app.SendAsync<Result<AuditChainVerification>>(new VerifyAuditChainQuery(), "admin@acme.example");
        Assert.True(intact.Value.IsIntact, intact.Value.Problem);
        await using var db = app.CreateDbContext();
        var target = await db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).Skip(3).Select(e => e.Sequence).FirstAsync();
        var next = target + 1;

        var sql = tampering switch
        {
            "edited" => $"""UPDATE "AuditEvents" SET "ActorName" = 'someone else' WHERE "Sequence" = {target}""",
            "deleted" => $"""DELETE FROM "AuditEvents" WHERE "Sequence" = {target}""",
            // Swap two neighbours' places in the chain: the primary key is the sequence, so via a free number.
            _ => $"""
                  UPDATE "AuditEvents" SET "Sequence" = -1 WHERE "Sequence" = {target};
                  UPDATE "AuditEvents" SET "Sequence" = {target} WHERE "Sequence" = {next};
                  UPDATE "AuditEvents" SET "Sequence" = {next} WHERE "Sequence" = -1;
                  """,
        };
        Assert.True(await db.Database.ExecuteSqlRawAsync(sql) >= 1);

        var verification = await app.SendAsync<Result<AuditChainVerification>>(new VerifyAuditChainQuery(), "admin@acme.example");

        Assert.False(verification.Value.IsIntact);
        Assert.Equal(target, verification.Value.BrokenAtSequence);
        Assert.Equal(target, verification.Value.EventsChecked);
        Assert.Equal(tampering switch
        {
            "edited" => $"Event {target} was changed after it was written.",
            "deleted" => $"Event {target} is missing or out of order (found {next}).",
            _ => $"Event {target} does not link to the event before it (deleted or reordered).",
        }, verification.Value.Problem);
    }

    private static readonly string[] DemoPartnerNames = ["BoltNut Supply", "FastFreight Logistics", "SensorTech Services"];

    // The demo's own accounts by name: other tests on the shared app create staff and (federated) partner users of their own.
    private static readonly string[] DemoEmails =
    [
        "admin@acme.example", "approver@acme.example", "approver2@acme.example", "alice@boltnut.example",
        "bob@boltnut.example", "carol@fastfreight.example", "dave@sensortech.example",
    ];

    [Fact]
    public async Task DemoSeeder_RunTwice_AddsNothing()
    {
        // Other tests on the shared app register partners and users of their own; only the demo's are counted.
        await using var db = sqlite.CreateDbContext();
        var counts = (await db.Partners.CountAsync(p => DemoPartnerNames.Contains(p.Name)), await db.Resources.CountAsync(), await db.Users.CountAsync(u => DemoEmails.Contains(u.Email!)));

        await using (var scope = sqlite.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DemoDataSeeder>().SeedAsync(CancellationToken.None);
        }

        Assert.Equal(counts, (await db.Partners.CountAsync(p => DemoPartnerNames.Contains(p.Name)), await db.Resources.CountAsync(), await db.Users.CountAsync(u => DemoEmails.Contains(u.Email!))));
        Assert.Equal((3, 5, 7), counts);
    }

    private static PartnerGateAppFactory CreatePostgresApp()
    {
        Assert.SkipUnless(PartnerGateAppFactory.PostgresAvailable, "PostgreSQL not configured; ./test.sh starts one.");
        return new PartnerGateAppFactory(DatabaseProvider.PostgreSql);
    }
}
