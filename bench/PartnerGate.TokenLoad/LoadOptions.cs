using System.Globalization;

namespace PartnerGate.TokenLoad;

internal enum SecretPlacement
{
    /// <summary>client_secret_post: client_id and client_secret in the form body.</summary>
    Post,

    /// <summary>client_secret_basic: the HTTP Basic header of RFC 6749 §2.3.1.</summary>
    Basic,
}

internal sealed record LoadOptions(
    Uri Url,
    string ClientId,
    string? Secret,
    string? PrivateKeyPath,
    string AssertionAudience,
    string? KeyId,
    string? Scope,
    string? Resource,
    SecretPlacement SecretPlacement,
    int Concurrency,
    TimeSpan Duration,
    TimeSpan Warmup,
    string Label,
    string? JsonPath,
    IReadOnlyList<int> ServerPids)
{
    public const string Usage = """
        PartnerGate.TokenLoad: closed-loop load on an OAuth 2 token endpoint (client_credentials).

          --url URL                  token endpoint, e.g. http://127.0.0.1:5080/connect/token (required)
          --client-id ID             (required)
          --secret SECRET            authenticate with a client secret ...
          --auth post|basic          ... in the form body (default) or the Basic header
          --private-key PEM          ... or with private_key_jwt: an EC P-256 private key (PKCS#8 or SEC1 PEM);
                                     a fresh ES256 client assertion is signed for every request
          --assertion-audience AUD   aud of the client assertion (default: the --url)
          --kid KID                  kid header of the client assertion (default: none)
          --scope SCOPE              scope parameter (optional)
          --resource URI             RFC 8707 resource parameter (optional)
          --concurrency N            workers, and pooled connections (default 32)
          --duration S               measured seconds (default 20)
          --warmup S                 unmeasured seconds before that (default 5)
          --label TEXT               names the run in the result line (default: the client id)
          --json FILE                also append the result as one JSON line to FILE
          --server-pid PID[,PID...]  report the CPU these process trees used while measured (Linux /proc):
                                     the server, and its database server if it has one

        Prints one line: label=... tokens_per_s=... p50_ms=... p99_ms=... p999_ms=... errors=... requests=...
        Exit code 0 when the load ran (non-200 answers are counted in errors=), 1 when the first token was not
        an ES256 JWT or no request succeeded, 2 on bad arguments.
        """;

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !KnownOptions.Contains(name))
            {
                throw new ArgumentException($"unknown option '{name}'");
            }
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value");
            }
            values[name] = args[++i];
        }

        var url = Uri.TryCreate(Required(values, "--url"), UriKind.Absolute, out var parsed)
            && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
                ? parsed
                : throw new ArgumentException("--url must be an absolute http(s) URL");
        var clientId = Required(values, "--client-id");
        var secret = values.GetValueOrDefault("--secret");
        var privateKey = values.GetValueOrDefault("--private-key");
        if ((secret is null) == (privateKey is null))
        {
            throw new ArgumentException("give exactly one of --secret and --private-key");
        }
        if (privateKey is not null && !File.Exists(privateKey))
        {
            throw new ArgumentException($"--private-key: no such file '{privateKey}'");
        }

        var placement = values.GetValueOrDefault("--auth", "post") switch
        {
            "post" => SecretPlacement.Post,
            "basic" => SecretPlacement.Basic,
            var other => throw new ArgumentException($"--auth must be post or basic, not '{other}'"),
        };

        return new LoadOptions(
            url,
            clientId,
            secret,
            privateKey,
            values.GetValueOrDefault("--assertion-audience", url.AbsoluteUri),
            values.GetValueOrDefault("--kid"),
            values.GetValueOrDefault("--scope"),
            values.GetValueOrDefault("--resource"),
            placement,
            PositiveInt(values, "--concurrency", 32),
            TimeSpan.FromSeconds(PositiveDouble(values, "--duration", 20, allowZero: false)),
            TimeSpan.FromSeconds(PositiveDouble(values, "--warmup", 5, allowZero: true)),
            values.GetValueOrDefault("--label", clientId),
            values.GetValueOrDefault("--json"),
            ParsePids(values.GetValueOrDefault("--server-pid")));
    }

    private static readonly HashSet<string> KnownOptions =
    [
        "--url", "--client-id", "--secret", "--auth", "--private-key", "--assertion-audience", "--kid",
        "--scope", "--resource", "--concurrency", "--duration", "--warmup", "--label", "--json", "--server-pid",
    ];

    private static string Required(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new ArgumentException($"{name} is required");

    private static int[] ParsePids(string? text) =>
        text is null ? []
        : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(pid =>
            int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new ArgumentException($"--server-pid: '{pid}' is not a process id"))];

    private static int PositiveInt(Dictionary<string, string> values, string name, int fallback)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive integer");
    }

    private static double PositiveDouble(Dictionary<string, string> values, string name, double fallback, bool allowZero)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value) && (value > 0 || (allowZero && value == 0))
                ? value
                : throw new ArgumentException($"{name} must be a {(allowZero ? "non-negative" : "positive")} number of seconds");
    }
}
