using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PartnerGate.Benchmarks;

/// <summary>
/// The evidence behind the numbers: seeds the same 10,000 requests, captures the SQL that EF Core really sends
/// for each inbox query (from its diagnostic events, parameters included), and prints SQLite's
/// <c>EXPLAIN QUERY PLAN</c> and the median time of the bare SQL on a raw connection (reading every row),
/// which splits a query's time into SQLite's part and EF's (materialisation, pipeline) part.
/// </summary>
public static class QueryPlanReport
{
    private const int TimedRuns = 15;


    public static async Task RunAsync()
    {
        await using var fixture = await InboxFixture.CreateAsync();
        using var capture = new CommandCapture();
        await using (var connection = new SqliteConnection(fixture.App.ConnectionString))
        {
            await connection.OpenAsync();
            await using var version = connection.CreateCommand();
            version.CommandText = "SELECT sqlite_version()";
            Console.WriteLine($"// SQLite {await version.ExecuteScalarAsync()}");
        }

        await ReportAsync(fixture, capture, "GetApprovalInboxQuery, first page", () => fixture.SendAsync(InboxFixture.FirstPage));
        await ReportAsync(fixture, capture, $"GetApprovalInboxQuery, search '{InboxFixture.SearchTerm}', page {InboxFixture.DeepPage}",
            () => fixture.SendAsync(InboxFixture.SearchDeepPage));
        await ReportAsync(fixture, capture, "Naive peer, first page", () => fixture.NaiveAsync(InboxFixture.FirstPage));
        await ReportAsync(fixture, capture, "Proposed query (bench copy), first page", () => fixture.ProposedAsync(InboxFixture.FirstPage));
        await ReportAsync(fixture, capture, "Proposed query (bench copy), search deep page", () => fixture.ProposedAsync(InboxFixture.SearchDeepPage));

        // What-if, on this throw-away database only.
        Console.WriteLine();
        Console.WriteLine("==== WHAT-IF: " + InboxFixture.ProposedIndex);
        await fixture.AddProposedIndexAsync();
        await ReportAsync(fixture, capture, "With the index: GetApprovalInboxQuery, first page", () => fixture.SendAsync(InboxFixture.FirstPage));
        await ReportAsync(fixture, capture, "With the index: GetApprovalInboxQuery, search deep page", () => fixture.SendAsync(InboxFixture.SearchDeepPage));
        await ReportAsync(fixture, capture, "With the index: proposed query, first page", () => fixture.ProposedAsync(InboxFixture.FirstPage));
        await ReportAsync(fixture, capture, "With the index: proposed query, search deep page", () => fixture.ProposedAsync(InboxFixture.SearchDeepPage));
    }

    private static async Task ReportAsync(InboxFixture fixture, CommandCapture capture, string title, Func<Task> run)
    {
        capture.Commands.Clear();
        capture.Enabled = true;
        await run();
        capture.Enabled = false;

        Console.WriteLine();
        Console.WriteLine($"==== {title}: {capture.Commands.Count} SQL command(s)");
        await using var connection = new SqliteConnection(fixture.App.ConnectionString);
        await connection.OpenAsync();
        foreach (var command in capture.Commands)
        {
            Console.WriteLine();
            Console.WriteLine(command.Text);
            Console.WriteLine("-- parameters: " + (command.Parameters.Count == 0 ? "none" : string.Join(", ", command.Parameters.Select(p => $"{p.Name}={Format(p.Value)} ({p.Type})"))));
            Console.WriteLine("-- EXPLAIN QUERY PLAN:");
            foreach (var line in await PlanAsync(connection, command))
            {
                Console.WriteLine("--   " + line);
            }

            var (median, rows) = await TimeAsync(connection, command);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"-- raw SQLite: median {median:0.00} ms over {TimedRuns} runs, {rows} row(s); EF's own log of this execution: {command.Duration.TotalMilliseconds:0.00} ms to the first row"));
        }
    }

    public static async Task<IReadOnlyList<string>> PlanAsync(SqliteConnection connection, CapturedCommand command)
    {
        await using var explain = Prepare(connection, command, "EXPLAIN QUERY PLAN " + command.Text);
        await using var reader = await explain.ExecuteReaderAsync();
        var nodes = new List<(long Id, long Parent, string Detail)>();
        while (await reader.ReadAsync())
        {
            nodes.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(3)));
        }

        // Indent each node under its parent, as the sqlite3 shell does.
        var depth = new Dictionary<long, int> { [0] = -1 };
        return nodes.Select(n =>
        {
            depth[n.Id] = depth.GetValueOrDefault(n.Parent, -1) + 1;
            return new string(' ', depth[n.Id] * 2) + n.Detail;
        }).ToList();
    }

    public static async Task<(double MedianMs, int Rows)> TimeAsync(SqliteConnection connection, CapturedCommand command)
    {
        var times = new List<double>();
        var rows = 0;
        for (var run = 0; run < TimedRuns + 3; run++)
        {
            await using var sql = Prepare(connection, command, command.Text);
            var started = Stopwatch.GetTimestamp();
            await using (var reader = await sql.ExecuteReaderAsync())
            {
                rows = 0;
                var values = new object[reader.FieldCount];
                while (await reader.ReadAsync())
                {
                    reader.GetValues(values);
                    rows++;
                }
            }

            if (run >= 3)
            {
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        times.Sort();
        return (times[times.Count / 2], rows);
    }

    private static SqliteCommand Prepare(SqliteConnection connection, CapturedCommand command, string text)
    {
        var sql = connection.CreateCommand();
        sql.CommandText = text;
        foreach (var parameter in command.Parameters)
        {
            // EF binds Guids as TEXT (how it stores them); Microsoft.Data.Sqlite's default for a Guid is a BLOB.
            sql.Parameters.Add(new SqliteParameter(parameter.Name, parameter.Value ?? DBNull.Value) { SqliteType = parameter.Type });
        }

        return sql;
    }

    private static string Format(object? value) => value switch
    {
        null or DBNull => "NULL",
        string s => $"'{s}'",
        Guid g => $"'{g.ToString().ToUpperInvariant()}'",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?",
    };
}

public sealed record CapturedParameter(string Name, object? Value, SqliteType Type);

public sealed record CapturedCommand(string Text, IReadOnlyList<CapturedParameter> Parameters, TimeSpan Duration);

/// <summary>Records the commands EF Core executes while enabled, from its DiagnosticListener (no change to the app needed).</summary>
public sealed class CommandCapture : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> subscriptions = [];

    public CommandCapture() => subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

    public List<CapturedCommand> Commands { get; } = [];

    public bool Enabled { get; set; }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (subscriptions)
            {
                subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (Enabled && value.Key == RelationalEventId.CommandExecuted.Name && value.Value is CommandExecutedEventData data)
        {
            var parameters = data.Command.Parameters.Cast<SqliteParameter>().Select(p => new CapturedParameter(p.ParameterName, p.Value, p.SqliteType)).ToList();
            lock (Commands)
            {
                Commands.Add(new CapturedCommand(data.Command.CommandText, parameters, data.Duration));
            }
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (subscriptions)
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }
}
