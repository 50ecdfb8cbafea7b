using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.EndToEndTests.Infrastructure;

/// <summary>
/// Partners, service clients and approved grants written straight into a running portal's database with the
/// domain's own rules (Register, Submit, Approve — as the demo seed does), and tokens fetched over HTTP. For tests
/// and benchmarks that need many of them faster than the UI can make them; the UI's own paths have their own tests.
/// </summary>
public sealed class AccessWorld(Func<PartnerGateDbContext> createDbContext)
{
    /// <summary>A new partner with a verified domain and, when given, a certification valid until <paramref name="certifiedUntil"/>.</summary>
    public async Task<Guid> RegisterPartnerAsync(string name, string? certification = null, DateTimeOffset? certifiedUntil = null)
    {
        await using var db = createDbContext();
        var now = DateTimeOffset.UtcNow;
        var partner = Partner.Register(name, [$"p{Guid.NewGuid():N}.example"], now).Value!;
        if (certification is not null)
        {
            partner.AddCertification(certification, certifiedUntil ?? now.AddYears(1));
        }

        db.Partners.Add(partner);

        // Clients and requests name the person who made them (foreign keys): the partner gets a partner admin, who
        // never signs in (no password).
        var email = $"admin@{partner.Domains[0].Name}";
        db.Users.Add(new PartnerGateUser
        {
            Id = Guid.NewGuid(), UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true, DisplayName = $"Admin of {name}", PartnerId = partner.Id, SecurityStamp = Guid.NewGuid().ToString("N"),
        });
        await db.SaveChangesAsync();
        return partner.Id;
    }

    /// <summary>A service client (client credentials with a secret) of the partner; returns its secret.</summary>
    public async Task<string> RegisterClientAsync(Guid partnerId, string clientId)
    {
        await using var db = createDbContext();
        var partner = await db.Partners.SingleAsync(p => p.Id == partnerId);
        var secret = $"{clientId}-{Guid.NewGuid():N}";
        var client = ApiClient.Register(partner, await PartnerAdminAsync(db, partnerId), clientId, $"Service {clientId}", ApiClientKind.Service,
            ClientAuthenticationMethod.ClientSecret, [], DateTimeOffset.UtcNow).Value!;
        db.ApiClients.Add(client);
        db.Add(ClientApplications.Create(client, secret, null));
        await db.SaveChangesAsync();
        return secret;
    }

    /// <summary>An approved grant, in effect now, of <paramref name="subject"/> on a resource (by name, e.g. purchase-orders).</summary>
    public async Task<Guid> GrantAsync(Guid partnerId, AccessSubject subject, string resourceName, string[] scopes, TimeSpan? duration = null)
    {
        await using var db = createDbContext();
        var now = DateTimeOffset.UtcNow;
        var partner = await db.Partners.SingleAsync(p => p.Id == partnerId);
        var resource = await db.Resources.SingleAsync(r => r.Name == resourceName);
        var request = AccessRequest.Submit(partner, resource, await PartnerAdminAsync(db, partnerId), subject, scopes, now, duration ?? TimeSpan.FromHours(1),
            "Arranged for a test of continuous validation.", null, now);
        if (!request.IsSuccess)
        {
            throw new InvalidOperationException(request.Error!.Message);
        }

        // Line telemetry needs two distinct approvers; the others one.
        var request1 = request.Value!;
        Domain.Grants.Grant? grant = null;
        foreach (var email in new[] { "approver@acme.example", "approver2@acme.example" })
        {
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
            var approved = request1.Approve(resource, partner, new Actor(user.Id, user.DisplayName, null, new HashSet<string>(StringComparer.Ordinal) { Roles.Approver }),
                now, "Arranged for a test.");
            if (!approved.IsSuccess)
            {
                throw new InvalidOperationException(approved.Error!.Message);
            }

            grant = approved.Value;
            if (grant is not null)
            {
                break;
            }
        }

        if (grant is null)
        {
            throw new InvalidOperationException($"{resourceName} needs more approvals than the demo has approvers.");
        }

        db.AccessRequests.Add(request1);
        db.Grants.Add(grant);
        await db.SaveChangesAsync();
        return grant.Id;
    }

    /// <summary>A client-credentials access token for one resource of the demo (audience https://supply.acme.example/{resourceName}).</summary>
    public static async Task<string> TokenAsync(HttpClient portal, string clientId, string secret, string resourceName, string scope)
    {
        using var response = await RequestTokenAsync(portal, clientId, secret, resourceName, scope);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The token endpoint answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    public static Task<HttpResponseMessage> RequestTokenAsync(HttpClient portal, string clientId, string secret, string resourceName, string scope) =>
        portal.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
            ["resource"] = DemoDataSeeder.AudienceBase + resourceName,
        }));

    /// <summary>What the portal's introspection endpoint says about a token, asked as the demo resource server.</summary>
    public static async Task<bool> IsActiveAsync(HttpClient portal, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{DemoDataSeeder.ResourceServerClientId}:{DemoDataSeeder.ResourceServerClientSecret}")));
        using var response = await portal.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("active").GetBoolean();
    }

    /// <summary>A GET of the demo API with a bearer token.</summary>
    public static HttpRequestMessage ApiRequest(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>A user of the partner acting as its partner admin (the demo partners' own admins included).</summary>
    private static async Task<Actor> PartnerAdminAsync(PartnerGateDbContext db, Guid partnerId)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.PartnerId == partnerId).OrderBy(u => u.Email).FirstAsync();
        return new Actor(user.Id, user.DisplayName, partnerId, new HashSet<string>(StringComparer.Ordinal) { Roles.PartnerAdmin });
    }
}
