using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;

namespace PartnerGate.EndToEndTests.Infrastructure;

/// <summary>
/// A portal of its own (kill switches and suspensions must not reach the other end-to-end tests' shared portal) with
/// the built demo supply-network API in a separate process following its revocation feed. The sweep is off: the
/// posture test runs it at the moment it chooses.
/// </summary>
public sealed class ContinuousValidationFixture : PortalFixture
{
    private ApiProcess? api;

    public ApiProcess Api => api ?? throw new InvalidOperationException("The demo API has not started.");

    public AccessWorld World => new(() => Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext());

    protected override ValueTask<IReadOnlyDictionary<string, string?>> PrepareAsync(int port)
    {
        // The API starts first and connects once the portal listens: its feed client retries with back-off.
        api = ApiProcess.StartDemoApi($"http://127.0.0.1:{port}");
        return ValueTask.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?> { ["Sweep:Enabled"] = "false" });
    }

    public HttpClient PortalHttp() => new() { BaseAddress = BaseAddress };

    public HttpClient ApiHttp() => new() { BaseAddress = Api.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Waits (up to a minute, for a cold start under load) until the API accepts <paramref name="token"/>.</summary>
    public Task WaitUntilAcceptedAsync(string path, string token) => Api.WaitUntilAsync(async http =>
    {
        using var response = await http.SendAsync(AccessWorld.ApiRequest(path, token));
        return response.StatusCode == HttpStatusCode.OK;
    }, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Sends the token back to back until the API refuses it (401) and returns the time from <paramref name="since"/>;
    /// gives up after five seconds.
    /// </summary>
    public async Task<TimeSpan> TimeUntilRefusedAsync(string path, string token, long since)
    {
        using var http = ApiHttp();
        while (Stopwatch.GetElapsedTime(since) < TimeSpan.FromSeconds(5))
        {
            using var response = await http.SendAsync(AccessWorld.ApiRequest(path, token));
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                return Stopwatch.GetElapsedTime(since);
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        throw new TimeoutException($"The demo API still accepted the token {Stopwatch.GetElapsedTime(since).TotalMilliseconds:F0} ms after the change.");
    }

    public override async ValueTask DisposeAsync()
    {
        if (api is not null)
        {
            await api.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
