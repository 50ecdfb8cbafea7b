using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.SupplyNetworkApi;

public static class TelemetryClient
{
    /// <summary>
    /// A BoltNut service client holding a line-telemetry grant. Line telemetry needs two different approvers (and
    /// TISAX, which only BoltNut holds among the demo partners), so the one-approver helper cannot make it.
    /// </summary>
    public static async Task<TestClient> CreateBoltNutTelemetryClientAsync(this PartnerGateAppFactory app)
    {
        var client = await app.CreateServiceClientAsync(TokenClients.BoltNut);
        await using var db = app.CreateDbContext();
        var partner = await db.Partners.SingleAsync(p => p.Id == client.PartnerId);
        var resource = await db.Resources.SingleAsync(r => r.Name == "line-telemetry");
        var admin = await db.Users.AsNoTracking().SingleAsync(u => u.Email == "alice@boltnut.example");
        var adminActor = new Actor(admin.Id, admin.DisplayName, partner.Id, new HashSet<string> { Roles.PartnerAdmin });
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();

        var request = AccessRequest.Submit(partner, resource, adminActor, AccessSubject.ForClient(client.ClientId), ["telemetry.read"], now,
            TimeSpan.FromHours(8), "Integration test of the demo supply-network API.", null, now).Value;
        db.AccessRequests.Add(request);
        Grant? grant = null;
        foreach (var email in new[] { "approver@acme.example", "approver2@acme.example" })
        {
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
            grant = request.Approve(resource, partner, new Actor(user.Id, user.DisplayName, null, new HashSet<string> { Roles.Approver }), now).Value;
        }

        db.Grants.Add(grant!);
        await db.SaveChangesAsync();
        return client with { GrantIds = [grant!.Id] };
    }
}
