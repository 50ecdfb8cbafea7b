using System.Buffers;
using System.Diagnostics;
using PartnerGate.Web.Features.Audit;

namespace PartnerGate.AuditExportBench;

/// <summary>One export in this process: start the portal, settle, then download everything while sampling memory.</summary>
public static class ExportRun
{
    private const double Megabyte = 1024 * 1024;

    public static async Task<ExportResult> RunAsync(string mode, string format, string database)
    {
        await using var portal = new ExportPortal(database);
        portal.Start();
        using var client = mode == "streamed"
            ? await portal.SignedInAdministratorAsync()
            : new HttpClient { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromHours(1) };
        var path = mode == "streamed" ? $"{AuditExportEndpoint.Path}?format={format}" : $"{ExportPortal.NaivePath}?format={format}";

        // Settle first, so "before" is the app at rest after start-up and sign-in.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;

        long peakManaged = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(20, CancellationToken.None);
            }
        });

        var stopwatch = Stopwatch.StartNew();
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long bytes = 0;
        long lines = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        ArrayPool<byte>.Shared.Return(buffer);
        stopwatch.Stop();
        await sampling.CancelAsync();
        await sampler;
        process.Refresh();
        var events = format == "csv" ? lines - 1 : lines;
        return new ExportResult(mode, format, events, bytes, stopwatch.Elapsed.TotalSeconds, baseline / Megabyte, process.PeakWorkingSet64 / Megabyte, peakManaged / Megabyte);
    }
}
