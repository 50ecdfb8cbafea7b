using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.RevocationBench;

/// <summary>
/// What the bench needs in the portal's database: BoltNut service clients of its own (one per lane, so lanes never
/// share a grant) and, per measurement, a fresh approved grant on purchase-orders / orders.read — written with the
/// domain's own Submit and Approve, as the demo seed does.
/// </summary>
public sealed class BenchWorld(BenchPortal portal)
{
    public const string Resource = "purchase-orders";
    public const string Scope = "orders.read";
    private static readonly string Audience = DemoDataSeeder.AudienceBase + Resource;

    public async Task<(string ClientId, string Secret)> RegisterClientAsync(int lane)
    {
        await using var db = portal.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var partner = await db.Partners.SingleAsync(p => p.Id == DemoDataSeeder.BoltNutPartnerId);
        var alice = await ActorAsync(db, "alice@boltnut.example", Roles.PartnerAdmin);
        var clientId = $"bench-lane-{lane}";
        var secret = $"bench-lane-{lane}-{Guid.NewGuid():N}";
        var client = ApiClient.Register(partner, alice, clientId, $"Revocation bench lane {lane}", ApiClientKind.Service,
            ClientAuthenticationMethod.ClientSecret, [], now).Value!;
        db.ApiClients.Add(client);
        db.Add(ClientApplications.Create(client, secret, null));
        await db.SaveChangesAsync();
        return (clientId, secret);
    }

    public async Task<Guid> GrantAsync(string clientId)
    {
        await using var db = portal.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var partner = await db.Partners.SingleAsync(p => p.Id == DemoDataSeeder.BoltNutPartnerId);
        var resource = await db.Resources.SingleAsync(r => r.Name == Resource);
        var alice = await ActorAsync(db, "alice@boltnut.example", Roles.PartnerAdmin);
        var approver = await ActorAsync(db, "approver@acme.example", Roles.Approver);
        var request = AccessRequest.Submit(partner, resource, alice, AccessSubject.ForClient(clientId), [Scope], now, TimeSpan.FromHours(1),
            "Revocation lag benchmark.", null, now).Value!;
        var grant = request.Approve(resource, approver, now, "Revocation lag benchmark.").Value!;
        db.AccessRequests.Add(request);
        db.Grants.Add(grant);
        await db.SaveChangesAsync();
        return grant.Id;
    }

    public static async Task<string> TokenAsync(HttpClient portalHttp, string clientId, string secret)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = Scope,
            ["resource"] = Audience,
        });
        using var response = await portalHttp.PostAsync("/connect/token", form);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The token endpoint answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    public static HttpRequestMessage ApiRequest(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/purchase-orders?pageSize=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task<Actor> ActorAsync(PartnerGate.Data.PartnerGateDbContext db, string email, string role)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
        return new Actor(user.Id, user.DisplayName, user.PartnerId, new HashSet<string>(StringComparer.Ordinal) { role });
    }
}
