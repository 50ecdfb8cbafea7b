using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Benchmarks;

/// <summary>What the seeder put in, so the docs can say exactly what the inbox had to work through.</summary>
public sealed record SeedSummary(int Pending, int ApprovedOnceByOtherApprover, int ApprovedOnceByBenchApprover, IReadOnlyDictionary<string, int> PerPartner);

/// <summary>
/// Puts pending access requests straight into the database through the domain (<see cref="AccessRequest.Submit"/>),
/// as the integration tests' arrange steps do. Deterministic (fixed seed) apart from ids and the wall clock.
/// The identical-pending rule lives in the command, not the entity, so direct inserts may repeat a request.
/// </summary>
public static class PendingRequestSeeder
{
    public const string BenchApprover = "approver@acme.example";
    public const string OtherApprover = "approver2@acme.example";
    private const int BatchSize = 1_000;

    /// <summary>Who requests how much: BoltNut, the main supplier with two users, sends most (60 %).</summary>
    private static readonly (string Email, int Weight)[] Requesters =
    [
        ("bob@boltnut.example", 35),
        ("alice@boltnut.example", 25),
        ("carol@fastfreight.example", 25),
        ("dave@sensortech.example", 15),
    ];

    private static readonly string[] Plants = ["Ingolstadt", "Wolfsburg", "Zwickau", "Dingolfing", "Sindelfingen", "Graz"];
    private static readonly string[] Lines = ["L1 body shop", "L2 paint", "L3 final assembly", "L4 axle", "L5 e-drive"];

    private static readonly Dictionary<string, string[]> Justifications = new(StringComparer.Ordinal)
    {
        ["purchase-orders"] =
        [
            "Weekly reconciliation of open purchase orders against our ERP for plant {plant}.",
            "Need to acknowledge PO {po} and its call-offs before Friday's cut-off.",
            "Our order desk checks delivery dates of PO {po} after the schedule change in week {week}.",
            "Month-end: confirm quantities and prices on the open orders for part {part}.",
        ],
        ["demand-forecast"] =
        [
            "Capacity planning for calendar week {week}: compare the 12-week forecast with our production plan.",
            "Raw material purchasing for part {part} depends on the rolling forecast for plant {plant}.",
            "Shift planning for the next quarter needs the demand forecast per part.",
        ],
        ["inventory"] =
        [
            "Checking consignment stock of part {part} after a short delivery reported by plant {plant}.",
            "Route planning for inbound deliveries to plant {plant} next week needs stock levels.",
            "Vendor-managed inventory: replenishment run for part {part}, week {week}.",
        ],
        ["line-telemetry"] =
        [
            "Commissioning support on line {line}; our technician needs live telemetry during the visit.",
            "Root-cause analysis of the torque deviations on line {line} reported in ticket {ticket}.",
            "Remote diagnosis of the spindle drive on line {line} at plant {plant}.",
        ],
        ["quality-records"] =
        [
            "Root-cause analysis for non-conformance report NCR-{n} on part {part}.",
            "Quarterly supplier audit preparation: inspection results for part {part}.",
            "8D report for the complaint from plant {plant}: we need the inspection data of week {week}.",
            "Upload of first-article inspection results for part {part}.",
        ],
    };

    /// <summary>Durations a requester would pick, each within the resource's cap. Demand forecast only above 8 h: shorter ones auto-approve.</summary>
    private static readonly Dictionary<string, TimeSpan[]> Durations = new(StringComparer.Ordinal)
    {
        ["purchase-orders"] = [TimeSpan.FromHours(4), TimeSpan.FromHours(8), TimeSpan.FromDays(1), TimeSpan.FromDays(3), TimeSpan.FromDays(7)],
        ["demand-forecast"] = [TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(14), TimeSpan.FromDays(30)],
        ["inventory"] = [TimeSpan.FromHours(8), TimeSpan.FromDays(2), TimeSpan.FromDays(14), TimeSpan.FromDays(30)],
        ["line-telemetry"] = [TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(8)],
        ["quality-records"] = [TimeSpan.FromHours(8), TimeSpan.FromDays(2), TimeSpan.FromDays(7)],
    };

    /// <summary>
    /// Adds <paramref name="count"/> pending requests submitted over the last six and a half days (inside the
    /// seven-day decision window, so none is overdue). Line-telemetry needs two approvers: a third of those
    /// already carry one approval from the other approver, and a tenth one from the bench approver (so they
    /// are pending but not in that approver's inbox).
    /// </summary>
    public static async Task<SeedSummary> SeedAsync(BenchmarkApp app, int count, CancellationToken cancellationToken = default)
    {
        var random = new Random(20261126);
        var now = DateTimeOffset.UtcNow;

        List<Partner> partners;
        List<Resource> resources;
        Dictionary<string, (Guid Id, string Name, Guid? PartnerId)> users;
        await using (var db = app.CreateDbContext())
        {
            // Ordered by name: their split queries come back in id order, and ids are new Guids on every run.
            partners = (await db.Partners.AsNoTracking().ToListAsync(cancellationToken)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            resources = (await db.Resources.AsNoTracking().ToListAsync(cancellationToken)).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
            users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Email!, u => (u.Id, u.DisplayName, u.PartnerId), StringComparer.Ordinal, cancellationToken);
        }

        var requesters = Requesters.Select(r =>
        {
            var user = users[r.Email];
            var partner = partners.Single(p => p.Id == user.PartnerId);
            var actor = new Actor(user.Id, user.Name, partner.Id, new HashSet<string>(StringComparer.Ordinal) { Roles.PartnerUser });

            // Only the resources this partner may request at all (line telemetry needs a valid TISAX).
            var allowed = resources.Where(resource => Submit(partner, resource, actor, now, random).IsSuccess).ToArray();
            return (r.Weight, Partner: partner, Actor: actor, Resources: allowed);
        }).ToArray();
        var totalWeight = requesters.Sum(r => r.Weight);
        var benchApprover = ApproverActor(users[BenchApprover]);
        var otherApprover = ApproverActor(users[OtherApprover]);
        var spread = TimeSpan.FromDays(6.5);

        int approvedByOther = 0, approvedByBench = 0;
        var perPartner = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var batchStart = 0; batchStart < count; batchStart += BatchSize)
        {
            await using var db = app.CreateDbContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = batchStart; i < Math.Min(count, batchStart + BatchSize); i++)
            {
                var pick = random.Next(totalWeight);
                var requester = requesters.First(r => (pick -= r.Weight) < 0);
                var resource = requester.Resources[random.Next(requester.Resources.Length)];
                var submittedAt = now - (spread * random.NextDouble());
                var request = Submit(requester.Partner, resource, requester.Actor, submittedAt, random).Value;

                if (resource.Name == "line-telemetry")
                {
                    var roll = random.NextDouble();
                    var decidedAt = submittedAt + TimeSpan.FromMinutes(random.Next(5, 240));
                    if (decidedAt < now && roll < 0.10)
                    {
                        Approve(request, resource, requester.Partner, benchApprover, decidedAt);
                        approvedByBench++;
                    }
                    else if (decidedAt < now && roll < 0.43)
                    {
                        Approve(request, resource, requester.Partner, otherApprover, decidedAt);
                        approvedByOther++;
                    }
                }

                db.AccessRequests.Add(request);
                perPartner[requester.Partner.Name] = perPartner.GetValueOrDefault(requester.Partner.Name) + 1;
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return new SeedSummary(count, approvedByOther, approvedByBench, perPartner);
    }

    private static Result<AccessRequest> Submit(Partner partner, Resource resource, Actor requester, DateTimeOffset submittedAt, Random random)
    {
        var scopes = resource.Scopes.Where(_ => random.Next(2) == 0).Select(s => s.Name).ToList();
        if (scopes.Count == 0)
        {
            scopes.Add(resource.Scopes[random.Next(resource.Scopes.Count)].Name);
        }

        var durations = Durations[resource.Name];
        var startsAt = submittedAt + TimeSpan.FromMinutes(random.Next(0, 48 * 60));
        var ticket = random.Next(10) switch
        {
            < 3 => "CHG-" + random.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture),
            < 4 => "INC-" + random.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        return AccessRequest.Submit(partner, resource, requester, AccessSubject.ForUser(requester.UserId), scopes,
            startsAt, durations[random.Next(durations.Length)], Justification(resource.Name, ticket, random), ticket, submittedAt);
    }

    private static string Justification(string resourceName, string? ticket, Random random)
    {
        var templates = Justifications[resourceName];
        return templates[random.Next(templates.Length)]
            .Replace("{plant}", Plants[random.Next(Plants.Length)], StringComparison.Ordinal)
            .Replace("{line}", Lines[random.Next(Lines.Length)], StringComparison.Ordinal)
            .Replace("{po}", "4500" + random.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{part}", $"{random.Next(100, 999)}.{random.Next(100, 999)}.{random.Next(10, 99)}", StringComparison.Ordinal)
            .Replace("{week}", random.Next(1, 53).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{n}", random.Next(1_000, 9_999).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{ticket}", ticket ?? "INC-" + random.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private static Actor ApproverActor((Guid Id, string Name, Guid? PartnerId) user) =>
        new(user.Id, user.Name, null, new HashSet<string>(StringComparer.Ordinal) { Roles.Approver });

    private static void Approve(AccessRequest request, Resource resource, Partner partner, Actor approver, DateTimeOffset at)
    {
        var approved = request.Approve(resource, partner, approver, at);
        if (!approved.IsSuccess || approved.Value is not null)
        {
            throw new InvalidOperationException($"Seeding a first approval failed: {approved.Error?.Message ?? "it completed the request"}.");
        }
    }
}
