using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Features.Demo;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>A throw-away service client with its own grants, so token tests never disturb the shared demo clients.</summary>
public sealed record TestClient(string ClientId, string Secret, Guid PartnerId, IReadOnlyList<Guid> GrantIds);

public static class TokenClients
{
    public const string BoltNut = "BoltNut Supply";
    public const string FastFreight = "FastFreight Logistics";
    public const string PurchaseOrders = "https://supply.acme.example/purchase-orders";

    /// <summary>
    /// Registers a secret-authenticated service client for <paramref name="partnerName"/> and gives it
    /// approved grants (resource name, scopes, duration), exactly as the portal would: submitted by the
    /// partner admin, approved by an approver.
    /// </summary>
    public static Task<TestClient> CreateServiceClientAsync(
        this PartnerGateAppFactory app, string partnerName, params (string Resource, string[] Scopes, TimeSpan Duration)[] grants) =>
        app.CreateServiceClientAsync(partnerName, partnerName == BoltNut ? "alice@boltnut.example" : "carol@fastfreight.example", grants);

    /// <summary>As above for any partner, its client registered by <paramref name="adminEmail"/>; policies that need two approvers get both.</summary>
    public static async Task<TestClient> CreateServiceClientAsync(
        this PartnerGateAppFactory app, string partnerName, string adminEmail, params (string Resource, string[] Scopes, TimeSpan Duration)[] grants)
    {
        await using var db = app.CreateDbContext();
        var partner = await db.Partners.SingleAsync(p => p.Name == partnerName);
        var admin = await db.Users.AsNoTracking().SingleAsync(u => u.Email == adminEmail);
        var approverUser = await db.Users.AsNoTracking().SingleAsync(u => u.Email == "approver@acme.example");
        var adminActor = new Actor(admin.Id, admin.DisplayName, partner.Id, new HashSet<string> { Roles.PartnerAdmin });
        var approver = new Actor(approverUser.Id, approverUser.DisplayName, null, new HashSet<string> { Roles.Approver });
        var secondApproverUser = await db.Users.AsNoTracking().SingleAsync(u => u.Email == "admin@acme.example");
        var secondApprover = new Actor(secondApproverUser.Id, secondApproverUser.DisplayName, null, new HashSet<string> { Roles.Approver });
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();

        var clientId = "test-" + Guid.NewGuid().ToString("N")[..16];
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var client = ApiClient.Register(partner, adminActor, clientId, "Test client", ApiClientKind.Service, ClientAuthenticationMethod.ClientSecret, [], now).Value;
        db.ApiClients.Add(client);
        db.Add(ClientApplications.Create(client, secret, null));

        var grantIds = new List<Guid>();
        foreach (var (resourceName, scopes, duration) in grants)
        {
            var resource = await db.Resources.SingleAsync(r => r.Name == resourceName);
            var request = AccessRequest.Submit(partner, resource, adminActor, AccessSubject.ForClient(clientId), [.. scopes], now, duration,
                "Integration test of the token service.", null, now).Value;
            db.AccessRequests.Add(request);
            var grant = request.Approve(resource, partner, approver, now).Value ?? request.Approve(resource, partner, secondApprover, now).Value!;
            db.Grants.Add(grant);
            grantIds.Add(grant.Id);
        }

        await db.SaveChangesAsync();
        return new TestClient(clientId, secret, partner.Id, grantIds);
    }

    public static async Task<HttpResponseMessage> RequestTokenAsync(this HttpClient http, string clientId, string secret, string? scope, params (string Name, string Value)[] extra)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (scope is not null)
        {
            form.Add(new("scope", scope));
        }

        form.AddRange(extra.Select(e => new KeyValuePair<string, string>(e.Name, e.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        return await http.SendAsync(request);
    }

    public static async Task<string> AccessTokenAsync(this HttpClient http, TestClient client, string scope)
    {
        using var response = await http.RequestTokenAsync(client.ClientId, client.Secret, scope);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>Introspects as the demo resource server, the way a manufacturer API would.</summary>
    public static async Task<JsonElement> IntrospectAsync(this HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect")
        {
            Content = new FormUrlEncodedContent([new("token", token)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            $"{DemoDataSeeder.ResourceServerClientId}:{DemoDataSeeder.ResourceServerClientSecret}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<(string Error, string Description)> OAuthErrorAsync(this HttpResponseMessage response)
    {
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (body.GetProperty("error").GetString()!, body.TryGetProperty("error_description", out var d) ? d.GetString()! : string.Empty);
    }

    public static JsonWebToken Read(string token) => new(token);
}
