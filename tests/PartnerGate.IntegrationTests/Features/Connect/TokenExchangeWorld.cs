using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Infrastructure.Federation;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>A partner of its own with a registered IdP and a service client that may exchange that IdP's workload tokens.</summary>
public sealed record ExchangeClient(string ClientId, Guid PartnerId, string PartnerName, string AdminEmail, Guid ProviderId, IReadOnlyList<Guid> GrantIds);

/// <summary>
/// The independent IdP process the token-exchange tests trade tokens of: two workloads, PartnerGate's audience (the
/// test server's issuer, <c>http://localhost/</c>) and an audience of someone else.
/// </summary>
public sealed class TokenExchangeIdp : IAsyncLifetime
{
    public const string Workload = "tokex-workload";
    public const string WorkloadSecret = "tokex-workload-secret";
    public const string OtherWorkload = "tokex-other-workload";
    public const string OtherWorkloadSecret = "tokex-other-workload-secret";
    public const string ForeignAudience = "https://not-partnergate.example/";

    private TestIdentityProvider? idp;

    public TestIdentityProvider Idp => idp ?? throw new InvalidOperationException("The test IdP has not started.");

    public async ValueTask InitializeAsync() => idp = await TestIdentityProvider.StartAsync(
        [TestIdpClient.Workload(Workload, WorkloadSecret), TestIdpClient.Workload(OtherWorkload, OtherWorkloadSecret)],
        [],
        [new TestIdpWorkloadResource(TokenExchangeWorld.PartnerGateAudience, 300), new TestIdpWorkloadResource(ForeignAudience, 300)]);

    public Task<string> WorkloadTokenAsync(string audience = TokenExchangeWorld.PartnerGateAudience) =>
        Idp.WorkloadTokenAsync(Workload, WorkloadSecret, audience);

    public async ValueTask DisposeAsync()
    {
        if (idp is not null)
        {
            await idp.DisposeAsync();
        }
    }
}

public static class TokenExchangeWorld
{
    /// <summary>What the test server's tokens carry as iss, and so the default workload audience.</summary>
    public const string PartnerGateAudience = "http://localhost/";
    public const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    public const string JwtTokenType = "urn:ietf:params:oauth:token-type:jwt";
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    /// <summary>
    /// A new partner whose IdP is <paramref name="authority"/> (registered directly, as an administrator would), its
    /// partner admin, and a service client of <paramref name="method"/> with <paramref name="subjects"/> and an approved
    /// grant on purchase-orders / orders.read for <paramref name="grantDuration"/>.
    /// </summary>
    public static async Task<ExchangeClient> CreateAsync(
        this PartnerGateAppFactory app, string authority, IReadOnlyList<string> subjects, TimeSpan? grantDuration = null,
        ClientAuthenticationMethod method = ClientAuthenticationMethod.WorkloadIdentity, string? secret = null)
    {
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var domain = $"tokex-{suffix}.example";
        var partner = Partner.Register($"Tokex {suffix}", [domain], now).Value;
        var secrets = app.Services.GetRequiredService<IdentityProviderSecrets>();
        var provider = PartnerIdentityProvider.Register(partner, "Tokex IdP", authority, "partnergate", secrets.Protect("idp-client-secret"), ["openid"],
            IdentityProviderClaimMapping.Default, IdentityProviderMfaRequirement.None, now).Value;
        await using (var db = app.CreateDbContext())
        {
            db.Partners.Add(partner);
            db.PartnerIdentityProviders.Add(provider);
            await db.SaveChangesAsync();
        }

        var adminEmail = await app.CreateUserAsync(Roles.PartnerAdmin, partner.Name, domain);
        await using (var db = app.CreateDbContext())
        {
            var tracked = await db.Partners.SingleAsync(p => p.Id == partner.Id);
            var admin = await db.Users.AsNoTracking().SingleAsync(u => u.Email == adminEmail);
            var approverUser = await db.Users.AsNoTracking().SingleAsync(u => u.Email == "approver@acme.example");
            var adminActor = new Actor(admin.Id, admin.DisplayName, partner.Id, new HashSet<string> { Roles.PartnerAdmin });
            var approver = new Actor(approverUser.Id, approverUser.DisplayName, null, new HashSet<string> { Roles.Approver });

            var clientId = "tokex-" + suffix;
            var client = ApiClient.Register(tracked, adminActor, clientId, "Workload client", ApiClientKind.Service, method, [], now, subjects).Value;
            db.ApiClients.Add(client);
            db.Add(ClientApplications.Create(client, secret, null));

            var resource = await db.Resources.SingleAsync(r => r.Name == "purchase-orders");
            var request = AccessRequest.Submit(tracked, resource, adminActor, AccessSubject.ForClient(clientId), ["orders.read"], now,
                grantDuration ?? TimeSpan.FromDays(1), "Integration test of token exchange.", null, now).Value;
            db.AccessRequests.Add(request);
            var grant = request.Approve(resource, partner, approver, now).Value!;
            db.Grants.Add(grant);
            await db.SaveChangesAsync();
            return new ExchangeClient(clientId, partner.Id, partner.Name, adminEmail, provider.Id, [grant.Id]);
        }
    }

    public static async Task<HttpResponseMessage> ExchangeAsync(
        this HttpClient http, string clientId, string subjectToken, string? scope = "orders.read", string subjectTokenType = JwtTokenType,
        string? secret = null, params (string Name, string Value)[] extra)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", GrantType),
            new("subject_token", subjectToken),
            new("subject_token_type", subjectTokenType),
        };
        if (scope is not null)
        {
            form.Add(new("scope", scope));
        }

        form.AddRange(extra.Select(e => new KeyValuePair<string, string>(e.Name, e.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        if (secret is null)
        {
            // A workload identity client is public: it names itself and proves nothing but the subject token.
            form.Add(new("client_id", clientId));
            request.Content = new FormUrlEncodedContent(form);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        }

        return await http.SendAsync(request);
    }
}
