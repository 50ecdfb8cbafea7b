using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd with its Maildir handler, so every mail the app hands
/// over is a file the test can read back, envelope included (X-MailFrom, X-RcptTo). test.sh installs it.
/// The port is chosen up front, so a test can point the app at it before the server runs (a server that is down).
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    /// <summary>Debian's interpreter, where python3-aiosmtpd installs; the python3 first on PATH may be another one.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string directory;
    private readonly StringBuilder output = new();
    private Process? process;

    private SmtpServer(int port)
    {
        Port = port;
        directory = Path.Combine(Path.GetTempPath(), "partnergate-smtp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    public int Port { get; }

    private string Maildir => Path.Combine(directory, "maildir");

    /// <summary>A server whose port is chosen but that is not listening yet.</summary>
    public static SmtpServer Reserve() => new(LoopbackPort.Free());

    public static async Task<SmtpServer> StartAsync()
    {
        var server = Reserve();
        await server.StartListeningAsync();
        return server;
    }

    public async Task StartListeningAsync()
    {
        if (process is not null)
        {
            return;
        }

        var start = new ProcessStartInfo(Python)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir },
        };
        process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start.");
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!await AcceptsConnectionsAsync())
        {
            if (process.HasExited || deadline.Elapsed > StartTimeout)
            {
                var why = process.HasExited ? $"exited with code {process.ExitCode}" : $"is not listening after {StartTimeout.TotalSeconds} s";
                await StopListeningAsync();
                throw new InvalidOperationException(
                    $"aiosmtpd {why} on 127.0.0.1:{Port}. Is python3-aiosmtpd installed (apt-get install -y python3-aiosmtpd; test.sh does this)?\n{Output()}");
            }

            await Task.Delay(50);
        }
    }

    public async Task StopListeningAsync()
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        process = null;
    }

    /// <summary>Every mail the server accepted so far.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var delivered = Path.Combine(Maildir, "new");
        return Directory.Exists(delivered)
            ? Directory.GetFiles(delivered).Order(StringComparer.Ordinal).Select(path => MimeMessage.Load(path)).ToList()
            : [];
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the temp cleaner; it must not fail the run.
        }
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
