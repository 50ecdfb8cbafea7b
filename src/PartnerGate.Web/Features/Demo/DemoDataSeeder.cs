using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Web.Features.Demo;

/// <summary>
/// Seeds the demo manufacturer, partners, resources and accounts listed in the README when
/// <c>Demo:Seed</c> is true (on in Development). Idempotent: it adds only what is missing, so it runs at
/// every start without duplicating or overwriting anything. Everything it creates is audited.
/// </summary>
public sealed partial class DemoDataSeeder(
    PartnerGateDbContext db,
    UserManager<PartnerGateUser> userManager,
    RoleManager<IdentityRole<Guid>> roleManager,
    TimeProvider clock,
    IConfiguration configuration,
    IHostEnvironment environment,
    Account.StaffAuthenticator authenticator,
    global::Mediator.IPublisher publisher,
    ILogger<DemoDataSeeder> logger)
{
    /// <summary>The one password of every demo account. Demo data is never seeded unless asked for.</summary>
    public const string DemoPassword = "PartnerGate!2026";

    /// <summary>
    /// The demo staff's authenticator keys (base32, TOTP SHA-1, 6 digits, 30 s), published in the README so anyone
    /// trying the demo can add them to an app. Seeded only in Development: anywhere else a published key would be no
    /// second factor at all, so there demo staff set up their own app at first sign-in.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DemoAuthenticatorKeys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["admin@acme.example"] = "DEMOADMINXPARTNERGATEXACMEXSTAFF",
        ["approver@acme.example"] = "DEMOAPPROVERXPARTNERGATEXACMEXAA",
        ["approver2@acme.example"] = "DEMOAPPROVERTWOXPARTNERGATEXACME",
    };

    public const string Tisax = "TISAX";
    public const string Iso27001 = "ISO 27001";

    public static readonly string AudienceBase = "https://supply.acme.example/";

    /// <summary>
    /// The demo partners' ids are fixed so the demo supply-network API (which knows PartnerGate only through its
    /// tokens) can hold rows for them: src/PartnerGate.SupplyNetworkApi uses the same three values.
    /// </summary>
    public static readonly Guid BoltNutPartnerId = new("b0170000-0000-4000-8000-000000000001");
    public static readonly Guid FastFreightPartnerId = new("fa570000-0000-4000-8000-000000000002");
    public static readonly Guid SensorTechPartnerId = new("5e450000-0000-4000-8000-000000000003");

    private static readonly DemoPartner[] DemoPartners =
    [
        new(BoltNutPartnerId, "BoltNut Supply", "boltnut.example", [new(Tisax, TimeSpan.FromDays(365))]),
        new(FastFreightPartnerId, "FastFreight Logistics", "fastfreight.example", [new(Iso27001, TimeSpan.FromDays(365))]),

        // Lapsed last month: SensorTech shows how posture refuses new access (invariant 8).
        new(SensorTechPartnerId, "SensorTech Services", "sensortech.example", [new(Tisax, TimeSpan.FromDays(-30))]),
    ];

    private static readonly DemoUser[] DemoUsers =
    [
        new("admin@acme.example", "Ada Admin", Roles.Administrator, null),
        new("approver@acme.example", "Arne Approver", Roles.Approver, null),
        new("approver2@acme.example", "Alma Approver", Roles.Approver, null),
        new("alice@boltnut.example", "Alice Bolt", Roles.PartnerAdmin, "BoltNut Supply"),
        new("bob@boltnut.example", "Bob Nut", Roles.PartnerUser, "BoltNut Supply"),
        new("carol@fastfreight.example", "Carol Freight", Roles.PartnerAdmin, "FastFreight Logistics"),
        new("dave@sensortech.example", "Dave Sensor", Roles.PartnerUser, "SensorTech Services"),
    ];

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        // Encrypted before the transaction: the first encryption writes a Data Protection key, which SQLite's
        // single writer would refuse while the seed transaction holds the lock.
        var demoKeys = environment.IsDevelopment()
            ? DemoAuthenticatorKeys.ToDictionary(k => k.Key, k => authenticator.ProtectKey(k.Value), StringComparer.OrdinalIgnoreCase)
            : [];
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            var audit = new List<AuditEntry>();

            foreach (var role in Roles.All)
            {
                if (!await roleManager.RoleExistsAsync(role))
                {
                    Check(await roleManager.CreateAsync(new IdentityRole<Guid>(role)), $"role {role}");
                    audit.Add(new AuditEntry("role.created", "Role", role, null, null));
                }
            }

            foreach (var demo in DemoPartners)
            {
                if (!await db.Partners.AnyAsync(p => p.Name == demo.Name, ct))
                {
                    var partner = Partner.Register(demo.Name, [demo.Domain], now, demo.Id).Value;
                    foreach (var certification in demo.Certifications)
                    {
                        partner.AddCertification(certification.Name, now + certification.ValidFor);
                    }

                    db.Partners.Add(partner);
                    audit.Add(new AuditEntry("partner.registered", "Partner", partner.Id.ToString(), partner.Id, null));
                }
            }

            foreach (var resource in DemoResources())
            {
                if (!await db.Resources.AnyAsync(r => r.Name == resource.Name, ct))
                {
                    db.Resources.Add(resource);
                    audit.Add(new AuditEntry("resource.defined", "Resource", resource.Id.ToString(), null, null));
                }
            }

            await db.SaveChangesAsync(ct);

            foreach (var demo in DemoUsers)
            {
                if (await userManager.FindByEmailAsync(demo.Email) is not null)
                {
                    continue;
                }

                Guid? partnerId = demo.Partner is null ? null : (await db.Partners.SingleAsync(p => p.Name == demo.Partner, ct)).Id;
                var user = new PartnerGateUser
                {
                    UserName = demo.Email,
                    Email = demo.Email,
                    EmailConfirmed = true,
                    DisplayName = demo.DisplayName,
                    PartnerId = partnerId,
                    LockoutEnabled = true,
                };
                Check(await userManager.CreateAsync(user, DemoPassword), demo.Email);
                Check(await userManager.AddToRoleAsync(user, demo.Role), demo.Email);
                audit.Add(new AuditEntry("user.created", "User", user.Id.ToString(), partnerId, $$"""{"email":"{{demo.Email}}","role":"{{demo.Role}}"}"""));
            }

            await SeedAuthenticatorsAsync(demoKeys, audit);

            await SeedClientsAsync(audit, now, ct);
            await SeedIdentityProviderAsync(audit, now, ct);
            var appended = await AuditTrail.AppendAsync(db, audit, AuditActor.System, now, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);

            // Its own transaction (Identity's stores save through this context), so its events reach the structured
            // log from here, as the unit of work's do from there.
            if (appended.Count > 0)
            {
                await publisher.Publish(new Infrastructure.Auditing.AuditEventsCommitted(appended), ct);
            }

            if (audit.Count > 0)
            {
                LogSeeded(audit.Count);
            }
        }, cancellationToken);
    }

    /// <summary>Demo staff who have no authenticator get the published demo key (no recovery codes: the key is in the README).</summary>
    private async Task SeedAuthenticatorsAsync(Dictionary<string, string> protectedKeys, List<AuditEntry> audit)
    {
        foreach (var (email, protectedKey) in protectedKeys)
        {
            if (await userManager.FindByEmailAsync(email) is not { TwoFactorEnabled: false } user)
            {
                continue;
            }

            Check(await authenticator.EnableProtectedAsync(user, protectedKey, provenStep: 0, recoveryCodes: []), email);
            audit.Add(new AuditEntry("account.mfa_enrolled", "User", user.Id.ToString(), null, $$"""{"email":"{{email}}","factor":"totp","demoKey":true}"""));
        }
    }

    /// <summary>The five supply-network resources of the demo, with the policies the README describes.</summary>
    public static IEnumerable<Resource> DemoResources()
    {
        var oneApprover = new[] { new ApprovalStage(1, Roles.Approver, 1) };
        yield return Define("purchase-orders", "Purchase orders", "Open purchase orders and their acknowledgements.", Sensitivity.Medium,
            [new("orders.read", "Read purchase orders"), new("orders.acknowledge", "Acknowledge purchase orders")],
            AccessPolicy.Create(TimeSpan.FromDays(7), oneApprover));
        yield return Define("demand-forecast", "Demand forecast", "Rolling 12-week demand forecast per part.", Sensitivity.Low,
            [new("forecast.read", "Read the demand forecast")],
            AccessPolicy.Create(TimeSpan.FromDays(30), oneApprover, autoApproveUpTo: TimeSpan.FromHours(8)));
        yield return Define("inventory", "Inventory", "Stock levels at the plant and in consignment.", Sensitivity.Low,
            [new("inventory.read", "Read inventory levels")],
            AccessPolicy.Create(TimeSpan.FromDays(30), oneApprover));
        yield return Define("line-telemetry", "Line telemetry", "Live machine telemetry from the production lines.", Sensitivity.High,
            [new("telemetry.read", "Read line telemetry")],
            AccessPolicy.Create(TimeSpan.FromHours(8), [new ApprovalStage(1, Roles.Approver, 2)], requireMfa: true, requiredCertifications: [Tisax]));
        yield return Define("quality-records", "Quality records", "Inspection results and non-conformance reports.", Sensitivity.Medium,
            [new("quality.read", "Read quality records"), new("quality.write", "Write quality records")],
            AccessPolicy.Create(TimeSpan.FromDays(7), oneApprover));

        static Resource Define(string name, string displayName, string description, Sensitivity sensitivity, ResourceScope[] scopes, AccessPolicy policy) =>
            Resource.Define(name, displayName, description, AudienceBase + name, sensitivity, scopes, policy).Value;
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Seeding {what} failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data seeded ({Count} audited changes)")]
    private partial void LogSeeded(int count);

    private sealed record DemoPartner(Guid Id, string Name, string Domain, DemoCertification[] Certifications);

    private sealed record DemoCertification(string Name, TimeSpan ValidFor);

    private sealed record DemoUser(string Email, string DisplayName, string Role, string? Partner);
}
