using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PartnerGate.EndToEndTests.Infrastructure;

/// <summary>
/// A resource server in its own process on a loopback port: the built demo supply-network API (or this bench's
/// plain-JwtBearer twin of it), so the feed and every request cross a real process boundary.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ApiProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet {assembly} {arguments}</c> listening on a free loopback port.</summary>
    public static ApiProcess Start(string assemblyPath, IEnumerable<string> arguments)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"Build it first (dotnet build -c Release PartnerGate.sln): {assemblyPath}", assemblyPath);
        }

        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
        };
        start.ArgumentList.Add(assemblyPath);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        // Server GC, the Web SDK's default, for every API process: the validation benchmark's plain-JwtBearer peer runs
        // inside the bench's own executable (workstation GC), and the comparison must not hinge on the collector.
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        return new ApiProcess(Process.Start(start)!, baseAddress);
    }

    /// <summary>
    /// The built demo supply-network API, trusting the portal at <paramref name="authority"/> with the demo
    /// resource-server credentials (passed on the command line: the process runs as Production, where the demo secret
    /// is not in its settings).
    /// </summary>
    public static ApiProcess StartDemoApi(string authority, params string[] extraArguments) =>
        Start(BuiltAssembly("src", "PartnerGate.SupplyNetworkApi"),
        [
            $"--PartnerGate:Authority={authority}",
            "--PartnerGate:ClientId=supply-network-api",
            "--PartnerGate:ClientSecret=supply-network-api-demo-secret",
            .. extraArguments,
        ]);

    /// <summary>The built assembly of a project under <c>src/</c> or <c>bench/</c>, in the configuration this bench was built in.</summary>
    public static string BuiltAssembly(string folder, string project)
    {
        var baseDirectory = AppContext.BaseDirectory;
        var configuration = baseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var root = new DirectoryInfo(baseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "PartnerGate.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("Run the bench from inside the repository.");
        }

        return Path.Combine(root.FullName, folder, project, "bin", configuration, "net10.0", project + ".dll");
    }

    /// <summary>Waits until <paramref name="ready"/> holds (e.g. a token is accepted, which needs the feed synced).</summary>
    public async Task WaitUntilAsync(Func<HttpClient, Task<bool>> ready, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The API process exited ({process.ExitCode}):\n{Output}");
            }

            try
            {
                if (await ready(http))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The API at {BaseAddress} was not ready after {timeout}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Append(string? line)
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
