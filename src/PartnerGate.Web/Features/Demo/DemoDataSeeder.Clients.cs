using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Features.Clients;

namespace PartnerGate.Web.Features.Demo;

/// <summary>The demo's OAuth clients (README "Try the token service"): secrets exist only when Demo:Seed is on.</summary>
public sealed partial class DemoDataSeeder
{
    public const string ErpClientId = "boltnut-erp";
    public const string ErpClientSecret = "boltnut-erp-demo-secret";
    public const string ErpJwtClientId = "boltnut-erp-jwt";

    /// <summary>
    /// BoltNut's ERP without any PartnerGate credential: it trades a token from BoltNut's IdP (token exchange). Its
    /// workload subject is the bundled test IdP's workload client id, whose client-credentials tokens carry sub = client id.
    /// </summary>
    public const string ErpWorkloadClientId = "boltnut-erp-workload";
    public const string FreightClientId = "fastfreight-tms";
    public const string FreightClientSecret = "fastfreight-tms-demo-secret";
    public const string ResourceServerClientId = "supply-network-api";
    public const string ResourceServerClientSecret = "supply-network-api-demo-secret";
    public const string WebClientId = "boltnut-web";
    public const string WebClientSecret = "boltnut-web-demo-secret";
    public static readonly string[] WebClientRedirectUris = ["http://localhost:7070/callback", "http://127.0.0.1:7070/callback"];

    /// <summary>How long the seeded grant of <see cref="ErpClientId"/> lasts; the seed renews it once it has lapsed.</summary>
    public static readonly TimeSpan ErpGrantDuration = TimeSpan.FromDays(7);

    private async Task SeedClientsAsync(List<AuditEntry> audit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var boltNut = await db.Partners.SingleAsync(p => p.Name == "BoltNut Supply", cancellationToken);
        var fastFreight = await db.Partners.SingleAsync(p => p.Name == "FastFreight Logistics", cancellationToken);
        var alice = await ActorOfAsync("alice@boltnut.example", Roles.PartnerAdmin, cancellationToken);
        var carol = await ActorOfAsync("carol@fastfreight.example", Roles.PartnerAdmin, cancellationToken);

        await AddClientAsync(audit, () => ApiClient.Register(boltNut, alice, ErpClientId, "BoltNut ERP", ApiClientKind.Service,
            ClientAuthenticationMethod.ClientSecret, [], now), ErpClientSecret, null, cancellationToken);
        await AddClientAsync(audit, () => ApiClient.Register(fastFreight, carol, FreightClientId, "FastFreight TMS", ApiClientKind.Service,
            ClientAuthenticationMethod.ClientSecret, [], now), FreightClientSecret, null, cancellationToken);
        await AddClientAsync(audit, () => ApiClient.RegisterResourceServer(null, ResourceServerClientId, "Supply network API", now),
            ResourceServerClientSecret, null, cancellationToken);
        await AddClientAsync(audit, () => ApiClient.Register(boltNut, alice, WebClientId, "BoltNut supplier portal", ApiClientKind.WebApp,
            ClientAuthenticationMethod.ClientSecret, WebClientRedirectUris, now), WebClientSecret, null, cancellationToken);

        // Optional: a private_key_jwt client whose public key the operator supplies (the token benchmark does).
        var publicKeyPath = configuration["Demo:PrivateKeyJwtClient:PublicKeyPemPath"];
        if (!string.IsNullOrWhiteSpace(publicKeyPath))
        {
            var path = Path.IsPathRooted(publicKeyPath) ? publicKeyPath : Path.Combine(environment.ContentRootPath, publicKeyPath);
            var jwks = ClientApplications.ParsePublicKey(await File.ReadAllTextAsync(path, cancellationToken));
            if (!jwks.IsSuccess)
            {
                throw new InvalidOperationException($"Demo:PrivateKeyJwtClient:PublicKeyPemPath: {jwks.Error!.Message}");
            }

            await AddClientAsync(audit, () => ApiClient.Register(boltNut, alice, ErpJwtClientId, "BoltNut ERP (private_key_jwt)", ApiClientKind.Service,
                ClientAuthenticationMethod.PrivateKeyJwt, [], now), null, jwks.Value, cancellationToken);
            await EnsureErpGrantAsync(audit, ErpJwtClientId, alice, now, cancellationToken);
        }

        await EnsureErpGrantAsync(audit, ErpClientId, alice, now, cancellationToken);

        await AddClientAsync(audit, () => ApiClient.Register(boltNut, alice, ErpWorkloadClientId, "BoltNut ERP (workload identity)", ApiClientKind.Service,
            ClientAuthenticationMethod.WorkloadIdentity, [], now, [ErpWorkloadClientId]), null, null, cancellationToken);
        await EnsureErpGrantAsync(audit, ErpWorkloadClientId, alice, now, cancellationToken);
    }

    private async Task AddClientAsync(List<AuditEntry> audit, Func<Result<ApiClient>> register, string? secret, string? jwks, CancellationToken cancellationToken)
    {
        var client = register().Value;
        if (await db.ApiClients.AnyAsync(c => c.ClientId == client.ClientId, cancellationToken))
        {
            return;
        }

        db.ApiClients.Add(client);
        db.Add(ClientApplications.Create(client, secret, jwks));
        audit.Add(new AuditEntry("client.registered", "ApiClient", client.ClientId, client.PartnerId,
            $$"""{"kind":"{{client.Kind}}","authentication":"{{client.AuthenticationMethod}}"}"""));
    }

    /// <summary>An active 7-day grant on purchase-orders / orders.read for the ERP client; renewed when it has lapsed.</summary>
    private async Task EnsureErpGrantAsync(List<AuditEntry> audit, string clientId, Actor requester, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var resource = await db.Resources.SingleAsync(r => r.Name == "purchase-orders", cancellationToken);
        var subject = AccessSubject.ForClient(clientId);
        var live = await db.Grants.AnyAsync(g => g.Subject.Kind == SubjectKind.Client && g.Subject.Id == clientId && g.ResourceId == resource.Id
            && (g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled) && g.NotAfter > now, cancellationToken);
        if (live)
        {
            return;
        }

        var partner = await db.Partners.SingleAsync(p => p.Id == requester.PartnerId, cancellationToken);
        var approver = await ActorOfAsync("approver@acme.example", Roles.Approver, cancellationToken);
        var request = AccessRequest.Submit(partner, resource, requester, subject, ["orders.read"], now, ErpGrantDuration,
            "Demo: the BoltNut ERP reads open purchase orders to plan production.", "DEMO-1", now).Value;
        db.AccessRequests.Add(request);
        var grant = request.Approve(resource, partner, approver, now, "Demo grant seeded by PartnerGate.").Value!;
        db.Grants.Add(grant);
        audit.Add(new AuditEntry("request.submitted", "AccessRequest", request.Id.ToString(), partner.Id, null));
        audit.Add(new AuditEntry("grant.created", "Grant", grant.Id.ToString(), partner.Id,
            $$"""{"client":"{{clientId}}","resource":"purchase-orders","scopes":["orders.read"],"seeded":true}"""));
    }

    private async Task<Actor> ActorOfAsync(string email, string role, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email, cancellationToken);
        return new Actor(user.Id, user.DisplayName, user.PartnerId, new HashSet<string>(StringComparer.Ordinal) { role });
    }
}
