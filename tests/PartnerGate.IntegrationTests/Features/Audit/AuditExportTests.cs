using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Audit;

namespace PartnerGate.IntegrationTests.Features.Audit;

/// <summary>GET /audit/export over HTTP with a session cookie, on real databases: formats, scoping (invariant 4), the export's own audit event, refusals.</summary>
public sealed class AuditExportTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private const string Admin = AuditWorld.Administrator;
    private static readonly Guid BoltNut = AuditWorld.BoltNut;
    private static readonly Guid FastFreight = AuditWorld.FastFreight;
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ExportJsonLines_Administrator_OneParsableLinePerEventInSequenceOrder_AndTheExportIsAudited(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var marker = AuditWorld.NewMarker();
        var seeded = await app.AppendAsync(DateTimeOffset.UtcNow,
            new SeededEvent(BoltNut, $"{marker}.one", "Ann", "Grant", "g1", """{"reason":"line\nbreak, \"quoted\""}"""),
            new SeededEvent(null, $"{marker}.two", "Ben", "Resource", "r1"));
        var client = await app.SignedInClientAsync(Admin);

        using var response = await client.GetAsync($"/audit/export?format=jsonl&action={marker}.*");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jsonl", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".jsonl", response.Content.Headers.ContentDisposition?.FileNameStar, StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        var second = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal(seeded[0].Sequence, first.GetProperty("sequence").GetInt64());
        Assert.Equal(seeded[1].Sequence, second.GetProperty("sequence").GetInt64());
        Assert.Equal(seeded[0].Details, first.GetProperty("details").GetString());
        Assert.Equal(BoltNut.ToString(), first.GetProperty("partnerId").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("partnerId").ValueKind);
        Assert.Equal(seeded[0].Hash, first.GetProperty("hash").GetString());
        Assert.Equal(seeded[0].OccurredAt, first.GetProperty("occurredAt").GetDateTimeOffset());

        await using var db = app.CreateDbContext();
        var exported = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == RecordAuditExportHandler.Action && e.Details!.Contains(marker)).SingleAsync();
        Assert.Equal(Admin, exported.ActorName);
        Assert.Null(exported.PartnerId);
        Assert.Contains("\"format\":\"jsonl\"", exported.Details, StringComparison.Ordinal);
        Assert.True(exported.Sequence > seeded[1].Sequence);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ExportCsv_FieldsWithCommasQuotesNewlinesAndFormulas_AreQuotedPerRfc4180(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var marker = AuditWorld.NewMarker();
        const string details = "{\"note\":\"a, b \\\"c\\\"\\nd\"}";
        var seeded = await app.AppendAsync(DateTimeOffset.UtcNow,
            new SeededEvent(BoltNut, $"{marker}.csv", "Smith, \"Jo\"\nJunior", "Grant", "=HYPERLINK(\"x\")", details),
            new SeededEvent(BoltNut, $"{marker}.csv", "Plain", "Grant", "plain-id"));
        var client = await app.SignedInClientAsync(Admin);

        using var response = await client.GetAsync($"/audit/export?format=csv&action={marker}.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = Csv.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(AuditExport.Columns, rows[0]);
        Assert.Equal(3, rows.Count);
        var quoted = rows[1];
        Assert.Equal(seeded[0].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), quoted[0]);
        Assert.Equal("Smith, \"Jo\"\nJunior", quoted[3]);
        Assert.Equal("'=HYPERLINK(\"x\")", quoted[7]);
        Assert.Equal(details, quoted[8]);
        Assert.Equal(seeded[0].Hash, quoted[10]);
        Assert.Equal(["Plain", "plain-id"], [rows[2][3], rows[2][7]]);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Export_PartnerAdmin_GetsOwnPartnerOnly_HostileFilterGetsNothing_AndTheAuditEventIsTheirs(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var marker = AuditWorld.NewMarker();
        await app.AppendAsync(DateTimeOffset.UtcNow,
            new SeededEvent(BoltNut, $"{marker}.x", "Ann", "Grant", "bolt"),
            new SeededEvent(FastFreight, $"{marker}.x", "Ann", "Grant", "fast"),
            new SeededEvent(null, $"{marker}.x", "Ann", "Resource", "none"));
        var alice = await app.SignedInClientAsync("alice@boltnut.example");

        var own = await alice.GetStringAsync($"/audit/export?format=jsonl&action={marker}.x");
        using var hostile = await alice.GetAsync($"/audit/export?format=jsonl&action={marker}.x&partner={FastFreight}");

        Assert.Equal(["bolt"], own.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("targetId").GetString()));
        Assert.Equal(HttpStatusCode.OK, hostile.StatusCode);
        Assert.Equal(string.Empty, await hostile.Content.ReadAsStringAsync());
        await using var db = app.CreateDbContext();
        var exports = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == RecordAuditExportHandler.Action && e.Details!.Contains(marker)).ToListAsync();
        Assert.Equal(2, exports.Count);
        Assert.All(exports, e => Assert.Equal(BoltNut, e.PartnerId));
        Assert.All(exports, e => Assert.Equal("alice@boltnut.example", e.ActorName));
    }

    [Theory]
    [InlineData("bob@boltnut.example")]
    [InlineData("approver@acme.example")]
    public async Task Export_PartnerUserOrApprover_Is403ProblemDetails_AndNothingIsAudited(string email)
    {
        var client = await sqlite.SignedInClientAsync(email);
        var marker = AuditWorld.NewMarker();

        using var response = await client.GetAsync($"/audit/export?format=csv&action={marker}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await using var db = sqlite.CreateDbContext();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Details!.Contains(marker)));
    }

    [Fact]
    public async Task Export_NotSignedIn_IsSentToSignIn()
    {
        var client = sqlite.CreateBrowserClient();

        using var response = await client.GetAsync("/audit/export?format=jsonl");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/signin", HttpSignIn.SameOriginPath(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("format=xml")]
    [InlineData("format=csv&format=jsonl")]
    [InlineData("from=yesterday")]
    [InlineData("from=2026-11-26T10:00Z&to=2026-11-26T09:00Z")]
    [InlineData("partner=not-a-guid")]
    [InlineData("fromSequence=-3")]
    [InlineData("action=a&action=b")]
    public async Task Export_BadQuery_Is400ProblemDetails_AndNothingIsAudited(string query)
    {
        var client = await sqlite.SignedInClientAsync("alice@boltnut.example");
        await using var db = sqlite.CreateDbContext();
        var before = await db.AuditEvents.CountAsync(e => e.Action == RecordAuditExportHandler.Action && e.ActorName == "alice@boltnut.example");

        using var response = await client.GetAsync($"/audit/export?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(before, await db.AuditEvents.CountAsync(e => e.Action == RecordAuditExportHandler.Action && e.ActorName == "alice@boltnut.example"));
    }

    /// <summary>A strict RFC 4180 reader, independent of the writer under test.</summary>
    private static class Csv
    {
        public static List<string[]> Parse(string text)
        {
            var rows = new List<string[]>();
            var row = new List<string>();
            var field = new StringBuilder();
            var i = 0;
            while (i < text.Length)
            {
                if (text[i] == '"' && field.Length == 0)
                {
                    i++;
                    while (true)
                    {
                        if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                        }
                        else if (text[i] == '"')
                        {
                            i++;
                            break;
                        }
                        else
                        {
                            field.Append(text[i++]);
                        }
                    }
                }
                else if (text[i] == ',')
                {
                    row.Add(field.ToString());
                    field.Clear();
                    i++;
                }
                else if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    row.Add(field.ToString());
                    field.Clear();
                    rows.Add([.. row]);
                    row.Clear();
                    i += 2;
                }
                else
                {
                    Assert.NotEqual('"', text[i]);
                    Assert.NotEqual('\n', text[i]);
                    field.Append(text[i++]);
                }
            }

            Assert.Empty(row);
            return rows;
        }
    }
}
