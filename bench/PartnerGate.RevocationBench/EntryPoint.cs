namespace PartnerGate.RevocationBench;

/// <summary>
/// <c>dotnet run -c Release --project bench/PartnerGate.RevocationBench -- lag [--revocations 1000] [--lanes 4] [--out FILE]</c><br/>
/// <c>dotnet run -c Release --project bench/PartnerGate.RevocationBench -- overhead [--seconds 10] [--rounds 3] [--concurrency 8] [--out FILE]</c><br/>
/// <c>dotnet run -c Release --project bench/PartnerGate.RevocationBench -- nodes --redis 127.0.0.1:6380 [--revocations 400] [--lanes 4] [--out FILE]</c><br/>
/// (<c>serve-plain</c> is the overhead run's peer API, started by it as a child process.)<br/>
/// A named class rather than top-level statements: the portal's own top-level <c>Program</c> is referenced here.
/// </summary>
public static class EntryPoint
{
    public static async Task<int> Main(string[] args)
    {
        // The process runner puts --urls first, so the peer's mode is found anywhere in the arguments.
        if (args.Contains("serve-plain"))
        {
            return await PlainJwtBearerApi.RunAsync([.. args.Where(a => a != "serve-plain")]);
        }

        var mode = args.FirstOrDefault() ?? "lag";
        return mode switch
        {
            "lag" => await LagRun.RunAsync(Option(args, "--revocations", 1000), Option(args, "--lanes", 4), Text(args, "--out")),
            "nodes" => await NodesRun.RunAsync(Text(args, "--redis") ?? "127.0.0.1:6380", Option(args, "--revocations", 400), Option(args, "--lanes", 4), Text(args, "--out")),
            "overhead" => await OverheadRun.RunAsync(Option(args, "--seconds", 10), Option(args, "--rounds", 3), Option(args, "--concurrency", 8), Text(args, "--out")),
            _ => Usage(),
        };
    }

    private static int Option(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).DefaultIfEmpty(fallback).First();

    private static string? Text(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static int Usage()
    {
        Console.Error.WriteLine("usage: PartnerGate.RevocationBench lag [--revocations N] [--lanes N] [--out FILE]");
        Console.Error.WriteLine("       PartnerGate.RevocationBench overhead [--seconds N] [--rounds N] [--concurrency N] [--out FILE]");
        Console.Error.WriteLine("       PartnerGate.RevocationBench nodes [--redis HOST:PORT] [--revocations N] [--lanes N] [--out FILE]");
        return 2;
    }
}
