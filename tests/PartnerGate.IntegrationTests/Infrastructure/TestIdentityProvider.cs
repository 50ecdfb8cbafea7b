using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>A client registered at the test IdP: PartnerGate itself (code flow) or a partner's workload (client credentials).</summary>
public sealed record TestIdpClient(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_secret")] string ClientSecret,
    [property: JsonPropertyName("grant_types")] IReadOnlyList<string> GrantTypes,
    [property: JsonPropertyName("redirect_uris")] IReadOnlyList<string>? RedirectUris = null,
    [property: JsonPropertyName("redirect_uri_prefixes")] IReadOnlyList<string>? RedirectUriPrefixes = null,
    [property: JsonPropertyName("post_logout_redirect_uris")] IReadOnlyList<string>? PostLogoutRedirectUris = null)
{
    public static TestIdpClient RelyingParty(string clientId, string secret, params string[] redirectUriPrefixes) =>
        new(clientId, secret, ["authorization_code"], RedirectUriPrefixes: redirectUriPrefixes);

    public static TestIdpClient Workload(string clientId, string secret) => new(clientId, secret, ["client_credentials"]);
}

/// <summary>A person at the partner: signs in on the test IdP's own login page. <paramref name="Amr"/> ["pwd","otp"] is a second factor.</summary>
public sealed record TestIdpAccount(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("password")] string Password,
    [property: JsonPropertyName("claims")] IReadOnlyDictionary<string, object> Claims,
    [property: JsonPropertyName("amr")] IReadOnlyList<string>? Amr = null,
    [property: JsonPropertyName("acr")] string? Acr = null);

/// <summary>An audience the test IdP issues workload JWTs for (subject tokens for token exchange), with their lifetime.</summary>
public sealed record TestIdpWorkloadResource(
    [property: JsonPropertyName("audience")] string Audience,
    [property: JsonPropertyName("ttl")] int TtlSeconds = 300);

/// <summary>
/// An independent OpenID Connect provider in its own process: node oidc-provider
/// (tests/PartnerGate.TestIdentityProvider/server.mjs) on a free loopback port, standing in for a partner's
/// Entra ID, Okta or Keycloak. test.sh installs its node packages (npm ci). Fresh keys on every start.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    // Generous: under a loaded CI machine node takes many seconds to load oidc-provider (20 s was once too little).
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly string configurationPath;

    private TestIdentityProvider(Process process, string configurationPath)
    {
        this.process = process;
        this.configurationPath = configurationPath;
    }

    /// <summary>The issuer, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Issuer { get; private set; } = string.Empty;

    /// <summary>What the process printed (refused token requests are explained here); for failure messages.</summary>
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

    public static string ScriptDirectory
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "tests", "PartnerGate.TestIdentityProvider");
                if (File.Exists(Path.Combine(candidate, "server.mjs")))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("tests/PartnerGate.TestIdentityProvider/server.mjs not found above " + AppContext.BaseDirectory);
        }
    }

    public static async Task<TestIdentityProvider> StartAsync(
        IEnumerable<TestIdpClient> clients, IEnumerable<TestIdpAccount> accounts, IEnumerable<TestIdpWorkloadResource>? workloadResources = null)
    {
        var directory = ScriptDirectory;
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "oidc-provider")))
        {
            throw new InvalidOperationException($"The test IdP's packages are not installed: run `npm ci --prefix {directory}` (test.sh does).");
        }

        var configurationPath = Path.Combine(Path.GetTempPath(), $"partnergate-test-idp-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(configurationPath, JsonSerializer.Serialize(new
        {
            port = 0,
            host = "127.0.0.1",
            clients,
            accounts,
            workloadResources = workloadResources ?? [],
        }));

        var start = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
            ArgumentList = { Path.Combine(directory, "server.mjs"), "--config", configurationPath },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var provider = new TestIdentityProvider(process, configurationPath);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            provider.Append(e.Data);
            const string marker = "test-idp listening on ";
            if (e.Data.StartsWith(marker, StringComparison.Ordinal))
            {
                listening.TrySetResult(e.Data[marker.Length..].Trim());
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                provider.Append(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The test IdP exited:\n" + provider.Output));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            provider.Issuer = await listening.Task.WaitAsync(StartTimeout);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }

        return provider;
    }

    /// <summary>A workload's JWT from the IdP (client credentials with an RFC 8707 resource): a subject token for token exchange.</summary>
    public async Task<string> WorkloadTokenAsync(string clientId, string clientSecret, string audience)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(Issuer + "/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["resource"] = audience,
        }));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The test IdP refused the workload token ({(int)response.StatusCode}): {body}\n{Output}");
        }

        return body.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        File.Delete(configurationPath);
    }

    private void Append(string line)
    {
        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
