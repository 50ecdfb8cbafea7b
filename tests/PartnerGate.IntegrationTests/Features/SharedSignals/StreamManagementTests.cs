using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.SharedSignals;

namespace PartnerGate.IntegrationTests.Features.SharedSignals;

public sealed class StreamManagementTests
{
    public static TheoryData<DatabaseProvider> Providers => Infrastructure.Apps.Providers;

    [Fact]
    public async Task Configuration_IsAnonymous_AndNamesTheDiscoveryIssuerAndJwks()
    {
        await using var portal = await SsfPortal.StartAsync(DatabaseProvider.Sqlite);
        using var http = portal.CreateHttpClient();
        var discovery = JsonNode.Parse(await http.GetStringAsync("/.well-known/openid-configuration"))!;
        using var response = await http.GetAsync("/.well-known/ssf-configuration");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var configuration = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(discovery["issuer"]!.GetValue<string>(), configuration["issuer"]!.GetValue<string>());
        Assert.Equal(discovery["jwks_uri"]!.GetValue<string>(), configuration["jwks_uri"]!.GetValue<string>());
        Assert.Equal("1_0", configuration["spec_version"]!.GetValue<string>());
        Assert.Equal(
            ["urn:ietf:rfc:8935", "urn:ietf:rfc:8936", "urn:partnergate:ssf:delivery:sse"],
            configuration["delivery_methods_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(new Uri(portal.BaseAddress, "ssf/streams").AbsoluteUri, configuration["configuration_endpoint"]!.GetValue<string>());
        Assert.Equal(new Uri(portal.BaseAddress, "ssf/status").AbsoluteUri, configuration["status_endpoint"]!.GetValue<string>());
        Assert.Equal(new Uri(portal.BaseAddress, "ssf/verify").AbsoluteUri, configuration["verification_endpoint"]!.GetValue<string>());
        Assert.Equal("urn:ietf:rfc:7617", configuration["authorization_schemes"]![0]!["spec_urn"]!.GetValue<string>());
        Assert.Equal("ALL", configuration["default_subjects"]!.GetValue<string>());
        Assert.Empty(configuration["critical_subject_members"]!.AsArray());
    }

    [Fact]
    public async Task Streams_WithoutOrWithWrongCredentials_OrAsNonResourceServer_Answer401Json_NeverTheSignInPage()
    {
        await using var portal = await SsfPortal.StartAsync(DatabaseProvider.Sqlite);
        var service = await portal.CreateServiceClientAsync(TokenClients.BoltNut);
        using var anonymous = portal.CreateHttpClient();
        using var wrongSecret = portal.ResourceServerClient(secret: "not-the-secret");
        using var notResourceServer = portal.ResourceServerClient(service.ClientId, service.Secret);
        using var unknown = portal.ResourceServerClient("nobody", "nothing");
        foreach (var http in new[] { anonymous, wrongSecret, notResourceServer, unknown })
        {
            foreach (var (method, path) in new[] { ("GET", "/ssf/streams"), ("POST", "/ssf/streams"), ("GET", "/ssf/streams/x/sse"), ("POST", "/ssf/streams/x/poll"), ("POST", "/ssf/verify"), ("GET", "/ssf/status?stream_id=x") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.Equal("Basic realm=\"PartnerGate SSF\"", response.Headers.WwwAuthenticate.ToString());
                Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
                Assert.Equal("invalid_client", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["err"]!.GetValue<string>());
                Assert.False(response.Headers.Contains("Set-Cookie"));
            }
        }
    }

    [Fact]
    public async Task Streams_DisabledResourceServer_IsRefused()
    {
        await using var portal = await SsfPortal.StartAsync(DatabaseProvider.Sqlite);
        var (clientId, secret) = await portal.RegisterResourceServerAsync();
        using var http = portal.ResourceServerClient(clientId, secret);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ssf/streams")).StatusCode);
        await using (var db = portal.CreateDbContext())
        {
            var client = await db.ApiClients.SingleAsync(c => c.ClientId == clientId);
            var admin = await db.Users.AsNoTracking().SingleAsync(u => u.Email == "admin@acme.example");
            Assert.True(client.Disable(new Domain.Common.Actor(admin.Id, "Admin", null, new HashSet<string> { Domain.Common.Roles.Administrator }), "Retired", DateTimeOffset.UtcNow).IsSuccess);
            await db.SaveChangesAsync();
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/ssf/streams")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Streams_CrudOfOwnStreams_AnotherResourceServerGets404_AndChangesAreAudited(DatabaseProvider provider)
    {
        await using var portal = await SsfPortal.StartAsync(provider);
        using var owner = portal.ResourceServerClient();
        var (otherId, otherSecret) = await portal.RegisterResourceServerAsync();
        using var other = portal.ResourceServerClient(otherId, otherSecret);

        var created = await portal.CreateStreamAsync(owner, SharedSignalsProtocol.PollDelivery);
        var streamId = created["stream_id"]!.GetValue<string>();
        Assert.Equal(DemoDataSeeder.ResourceServerClientId, created["aud"]!.GetValue<string>());
        Assert.Equal(new Uri(portal.BaseAddress, "/").AbsoluteUri, created["iss"]!.GetValue<string>());
        Assert.Equal(new Uri(portal.BaseAddress, $"ssf/streams/{streamId}/poll").AbsoluteUri, created["delivery"]!["endpoint_url"]!.GetValue<string>());
        Assert.Equal(3, created["events_delivered"]!.AsArray().Count);

        // Listing: each client sees only its own.
        Assert.Contains(JsonNode.Parse(await owner.GetStringAsync("/ssf/streams"))!.AsArray(), s => s!["stream_id"]!.GetValue<string>() == streamId);
        Assert.DoesNotContain(JsonNode.Parse(await other.GetStringAsync("/ssf/streams"))!.AsArray(), s => s!["stream_id"]!.GetValue<string>() == streamId);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/ssf/streams?stream_id={streamId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/ssf/streams?stream_id={streamId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PatchAsync("/ssf/streams", JsonContent.Create(new { stream_id = streamId, description = "mine now" }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/ssf/streams?stream_id={streamId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/ssf/streams/{streamId}/sse")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/ssf/streams/{streamId}/poll", JsonContent.Create(new { returnImmediately = true }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/ssf/status?stream_id={streamId}")).StatusCode);

        // Update: PATCH changes only what it names; the events filter narrows what is delivered.
        using var patched = await owner.PatchAsync("/ssf/streams", JsonContent.Create(new { stream_id = streamId, description = "ERP gateway", events_requested = new[] { SharedSignalsProtocol.SessionRevoked } }));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var patchedBody = JsonNode.Parse(await patched.Content.ReadAsStringAsync())!;
        Assert.Equal("ERP gateway", patchedBody["description"]!.GetValue<string>());
        Assert.Equal([SharedSignalsProtocol.SessionRevoked, SharedSignalsProtocol.Verification], patchedBody["events_delivered"]!.AsArray().Select(e => e!.GetValue<string>()));

        // Status: paused, then read back.
        using var paused = await owner.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "paused", reason = "maintenance" });
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("paused", JsonNode.Parse(await owner.GetStringAsync($"/ssf/status?stream_id={streamId}"))!["status"]!.GetValue<string>());

        using var deleted = await owner.DeleteAsync($"/ssf/streams?stream_id={streamId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/ssf/streams?stream_id={streamId}")).StatusCode);

        await using var db = portal.CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().Where(a => a.TargetId == streamId).OrderBy(a => a.Sequence).ToListAsync();
        Assert.Equal(["ssf.stream_created", "ssf.stream_updated", "ssf.stream_updated", "ssf.stream_deleted"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal($"client:{DemoDataSeeder.ResourceServerClientId}", a.ActorId));
    }

    [Fact]
    public async Task Streams_InvalidRequests_Answer400Json_AndChangeNothing()
    {
        await using var portal = await SsfPortal.StartAsync(DatabaseProvider.Sqlite);
        using var http = portal.ResourceServerClient();
        var bodies = new[]
        {
            "not json",
            "[1,2]",
            """{"delivery":"push"}""",
            """{"delivery":{"method":"urn:example:carrier-pigeon"}}""",
            """{"delivery":{"method":"urn:ietf:rfc:8935"}}""",
            """{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"http://receiver.example/events"}}""",
            """{"delivery":{"method":"urn:ietf:rfc:8935","endpoint_url":"https://user:pw@receiver.example/events"}}""",
            """{"delivery":{"method":"urn:ietf:rfc:8936","authorization_header":"Bearer x"}}""",
            """{"delivery":{"method":"urn:ietf:rfc:8936"},"events_requested":"all"}""",
            """{"delivery":{"method":"urn:ietf:rfc:8936"},"events_requested":[1]}""",
            """{"delivery":{"method":42}}""",
        };
        foreach (var body in bodies)
        {
            using var response = await http.PostAsync("/ssf/streams", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} → {(int)response.StatusCode} {text}");
            var error = JsonNode.Parse(text)!;
            Assert.Equal("invalid_request", error["err"]!.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(error["description"]!.GetValue<string>()));
        }

        using var badStatus = await http.PostAsJsonAsync("/ssf/status", new { stream_id = "x", status = "sleeping" });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/ssf/streams/x/poll", new StringContent("""{"maxEvents":"many"}""", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/ssf/status")).StatusCode);

        await using var db = portal.CreateDbContext();
        Assert.Equal(0, await db.SsfStreams.CountAsync());
    }

    [Fact]
    public async Task PushStream_AuthorizationHeader_IsStoredProtected_AndNeverReturned()
    {
        await using var portal = await SsfPortal.StartAsync(DatabaseProvider.Sqlite);
        using var http = portal.ResourceServerClient();
        const string header = "Bearer receiver-secret-value-123";
        var created = await portal.CreateStreamAsync(http, SharedSignalsProtocol.PushDelivery, "https://receiver.example/events", header);
        var streamId = created["stream_id"]!.GetValue<string>();
        Assert.True(created["delivery"]!["authorization_header_set"]!.GetValue<bool>());

        var listed = await http.GetStringAsync($"/ssf/streams?stream_id={streamId}");
        Assert.DoesNotContain("receiver-secret-value-123", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("receiver-secret-value-123", created.ToJsonString(), StringComparison.Ordinal);

        await using var db = portal.CreateDbContext();
        var stored = await db.SsfStreams.AsNoTracking().SingleAsync(s => s.Id == streamId);
        Assert.NotNull(stored.ProtectedAuthorizationHeader);
        Assert.DoesNotContain("receiver-secret-value-123", stored.ProtectedAuthorizationHeader, StringComparison.Ordinal);
        var audit = await db.AuditEvents.AsNoTracking().Where(a => a.TargetId == streamId).Select(a => a.Details).ToListAsync();
        Assert.All(audit, d => Assert.DoesNotContain("receiver-secret-value-123", d ?? string.Empty, StringComparison.Ordinal));
    }
}
