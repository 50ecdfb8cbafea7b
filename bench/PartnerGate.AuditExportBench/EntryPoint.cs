using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PartnerGate.AuditExportBench;

/// <summary>
/// <c>dotnet run -c Release --project bench/PartnerGate.AuditExportBench -- [--events 1000000] [--out FILE]</c><br/>
/// Seeds a chain of N audit events into a fresh SQLite database, then exports all of it four times, each in a fresh
/// child process (so each peak is its own): the real streamed endpoint <c>GET /audit/export</c> as the signed-in
/// administrator, and the naive peer (<c>ToListAsync</c>, then the same writer), in JSON Lines and CSV.
/// A named class rather than top-level statements: the portal's own top-level <c>Program</c> is referenced here.
/// </summary>
public static class EntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == "child")
        {
            var result = await ExportRun.RunAsync(args[1], args[2], args[3]);
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }

        var events = args.SkipWhile(a => a != "--events").Skip(1).Select(int.Parse).DefaultIfEmpty(1_000_000).First();
        var output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
        var directory = Path.Combine(Path.GetTempPath(), "partnergate-audit-export-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "partnergate.db");
        try
        {
            // Migrate and demo-seed through the app itself, then add the chain behind its back (one transaction).
            await using (var portal = new ExportPortal(database))
            {
                portal.Start();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Console.Error.WriteLine($"seeding {events:N0} audit events…");
            var seeding = await ChainSeeder.SeedAsync(database, events);
            Console.Error.WriteLine($"seeded in {seeding.TotalSeconds:F1} s ({new FileInfo(database).Length / 1024 / 1024} MB database)");

            var results = new List<ExportResult>();
            foreach (var (mode, format) in new[] { ("streamed", "jsonl"), ("naive", "jsonl"), ("streamed", "csv"), ("naive", "csv") })
            {
                Console.Error.WriteLine($"exporting: {mode} {format}…");
                var result = await RunChildAsync(mode, format, database);
                Console.Error.WriteLine($"  {result.Events:N0} events, {result.Bytes / 1024.0 / 1024:F0} MB in {result.Seconds:F1} s; peak working set {result.PeakWorkingSetMb:F0} MB (before the export {result.BaselineWorkingSetMb:F0} MB)");
                results.Add(result);
            }

            var table = Table(events, seeding, results);
            Console.WriteLine(table);
            if (output is not null)
            {
                await File.WriteAllTextAsync(output, table);
            }

            return results.Where(r => r.Mode == "streamed").All(r => r.Events >= events) ? 0 : 1;
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open is left to the temp cleaner.
            }
        }
    }

    private static async Task<ExportResult> RunChildAsync(string mode, string format, string database)
    {
        var executable = Environment.ProcessPath!;
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
        {
            arguments.Add(typeof(EntryPoint).Assembly.Location);
        }

        arguments.AddRange(["child", mode, format, database]);
        var start = new ProcessStartInfo(executable, arguments) { RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        using var child = Process.Start(start)!;
        var stdout = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"The {mode} {format} run printed nothing (exit {child.ExitCode}).");
        return JsonSerializer.Deserialize<ExportResult>(last)!;
    }

    private static string Table(int events, TimeSpan seeding, List<ExportResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{events:N0} audit events (seeded in {seeding.TotalSeconds:F0} s), SQLite, one export per fresh process:");
        text.AppendLine();
        text.AppendLine("| export | format | events | size | time | events/s | peak working set | working set before | managed heap peak (sampled) |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {(r.Mode == "streamed" ? "streamed (`GET /audit/export`)" : "naive (`ToListAsync`, same writer)")} | {r.Format} | {r.Events:N0} | {r.Bytes / 1024.0 / 1024:F0} MB | {r.Seconds:F1} s | {r.Events / r.Seconds:N0} | **{r.PeakWorkingSetMb:F0} MB** | {r.BaselineWorkingSetMb:F0} MB | {r.PeakManagedMb:F0} MB |");
        }

        return text.ToString();
    }
}

public sealed record ExportResult(string Mode, string Format, long Events, long Bytes, double Seconds, double BaselineWorkingSetMb, double PeakWorkingSetMb, double PeakManagedMb);
