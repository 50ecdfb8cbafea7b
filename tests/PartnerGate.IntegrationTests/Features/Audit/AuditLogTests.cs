using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry;
using OpenTelemetry.Logs;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Audit;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Infrastructure.Auditing;

namespace PartnerGate.IntegrationTests.Features.Audit;

/// <summary>
/// Audit events leave as structured log records through the app's own OpenTelemetry logging (switched on by an OTLP
/// endpoint setting), after commit only: a command whose transaction rolls back logs nothing.
/// </summary>
public sealed class AuditLogTests
{
    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task AuditedCommand_Committed_IsOneStructuredRecord_RolledBack_IsNone(DatabaseProvider provider)
    {
        Assert.SkipWhen(provider == DatabaseProvider.PostgreSql && !PartnerGateAppFactory.PostgresAvailable, "PostgreSQL not configured; ./test.sh starts one.");
        var exporter = new CapturingExporter();
        await using var app = new PartnerGateAppFactory(provider,
            extraSettings: new Dictionary<string, string?> { ["Telemetry:Otlp:Endpoint"] = "http://127.0.0.1:9" },
            configureServices: services => services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddProcessor(new SimpleLogRecordExportProcessor(exporter))));
        await app.InitializeAsync();

        var recorded = await app.SendAsync<Result<AuditExportScope>>(new RecordAuditExportCommand(AuditEventFilter.None with { Action = "committed" }, AuditExportFormat.Csv), "alice@boltnut.example");

        Assert.True(recorded.IsSuccess);
        await using var db = app.CreateDbContext();
        var written = await db.AuditEvents.AsNoTracking().Where(e => e.Action == RecordAuditExportHandler.Action).SingleAsync();
        var record = Assert.Single(exporter.Audit());
        Assert.Equal(AuditEventLog.EventIdNumber, record.EventId);
        Assert.Equal(written.Sequence, record.Attributes["AuditSequence"]);
        Assert.Equal(RecordAuditExportHandler.Action, record.Attributes["AuditAction"]);
        Assert.Equal(written.ActorId, record.Attributes["ActorId"]);
        Assert.Equal("alice@boltnut.example", record.Attributes["ActorName"]);
        Assert.Equal(DemoDataSeeder.BoltNutPartnerId, record.Attributes["PartnerId"]);
        Assert.Equal("AuditTrail", record.Attributes["TargetType"]);
        Assert.Equal(written.TargetId, record.Attributes["TargetId"]);
        Assert.Equal(written.OccurredAt, record.Attributes["OccurredAt"]);
        Assert.Equal(written.Hash, record.Attributes["AuditHash"]);
        Assert.DoesNotContain(record.Attributes.Keys, key => key.Contains("Details", StringComparison.OrdinalIgnoreCase));

        // The database now refuses this action's audit row, so the next export's transaction rolls back at commit.
        await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.Sqlite
            ? """CREATE TRIGGER refuse_export BEFORE INSERT ON "AuditEvents" WHEN NEW."Action" = 'audit.exported' BEGIN SELECT RAISE(ABORT, 'refused by test'); END;"""
            : """
              CREATE FUNCTION refuse_export() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$ LANGUAGE plpgsql;
              CREATE TRIGGER refuse_export BEFORE INSERT ON "AuditEvents" FOR EACH ROW WHEN (NEW."Action" = 'audit.exported') EXECUTE FUNCTION refuse_export();
              """);

        await Assert.ThrowsAnyAsync<DbUpdateException>(() =>
            app.SendAsync<Result<AuditExportScope>>(new RecordAuditExportCommand(AuditEventFilter.None with { Action = "rolled-back" }, AuditExportFormat.Csv), "alice@boltnut.example"));

        Assert.Single(exporter.Audit());
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == RecordAuditExportHandler.Action));
    }

    private sealed record CapturedRecord(string? Category, int EventId, IReadOnlyDictionary<string, object?> Attributes);

    /// <summary>Copies each record as it is exported (the SDK reuses LogRecord instances afterwards).</summary>
    private sealed class CapturingExporter : BaseExporter<LogRecord>
    {
        private readonly ConcurrentQueue<CapturedRecord> records = new();

        /// <summary>The audit records of exports (start-up work such as the sweep may audit other things meanwhile).</summary>
        public IReadOnlyList<CapturedRecord> Audit() => records
            .Where(r => r.Category == AuditEventLog.Category && Equals(r.Attributes.GetValueOrDefault("AuditAction"), RecordAuditExportHandler.Action))
            .ToList();

        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var record in batch)
            {
                records.Enqueue(new CapturedRecord(record.CategoryName, record.EventId.Id,
                    (record.Attributes ?? []).ToDictionary(a => a.Key, a => a.Value)));
            }

            return ExportResult.Success;
        }
    }
}
