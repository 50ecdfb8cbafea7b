using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Notifications;
using PartnerGate.Domain.Resources;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Features.KillSwitches;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Features.Notifications;
using PartnerGate.Web.Features.Partners;
using PartnerGate.Web.Infrastructure.Mail;

namespace PartnerGate.IntegrationTests.Features.Notifications;

/// <summary>
/// Posture mail (invariant 8) with a fake clock, each test on an app of its own: warnings at 30 and 7 days before a required
/// certification expires, the suspension at the lapse, the resumption at renewal, each exactly once however often the sweep
/// runs, and each partner admin reading only their own partner's grants (invariant 4). Every test arranges its own resource
/// requiring a certification of its own, so the demo partners (whose certifications are not involved) stay out of it.
/// </summary>
public sealed class PostureMailTests
{
    private const string PortalBaseUrl = "https://partnergate.acme.example";

    private sealed class World : IAsyncDisposable
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
        public PartnerGateAppFactory App { get; private set; } = null!;
        public string Certification { get; } = "CERT-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        public string ResourceName { get; } = "posture-" + Guid.NewGuid().ToString("N")[..10];
        public string ResourceDisplayName => $"Posture data {ResourceName[^10..]}";

        public static async Task<World> StartAsync(DatabaseProvider provider, int? smtpPort = null, Dictionary<string, string?>? settings = null)
        {
            Assert.SkipWhen(provider == DatabaseProvider.PostgreSql && !PartnerGateAppFactory.PostgresAvailable, "PostgreSQL not configured.");
            var world = new World();
            var all = new Dictionary<string, string?>
            {
                ["Sweep:Enabled"] = "false",
                ["Mail:BackgroundDispatch"] = "false",
                ["Smtp:PortalBaseUrl"] = PortalBaseUrl,
                ["Smtp:TimeoutSeconds"] = "5",
            };
            if (smtpPort is { } port)
            {
                all["Smtp:Host"] = "127.0.0.1";
                all["Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture);
            }

            foreach (var (key, value) in settings ?? [])
            {
                all[key] = value;
            }

            world.App = new PartnerGateAppFactory(provider, extraSettings: all,
                configureServices: services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(world.Clock)));
            await world.App.InitializeAsync();
            await world.DefineResourceAsync();
            return world;
        }

        public DateTimeOffset Now => Clock.GetUtcNow();

        public async Task SweepAsync()
        {
            Assert.True(await App.Services.GetRequiredService<AccessSweepService>().SweepOnceAsync(TimeSpan.FromSeconds(15), CancellationToken.None));
        }

        /// <summary>A partner with its admin, holding this world's certification until <paramref name="validUntil"/>.</summary>
        public async Task<TestPartner> PartnerAsync(DateTimeOffset validUntil)
        {
            var partner = await App.NewTestPartnerAsync();
            await using var db = App.CreateDbContext();
            var stored = await db.Partners.SingleAsync(p => p.Id == partner.Id);
            Assert.True(stored.AddCertification(Certification, validUntil).IsSuccess);
            await db.SaveChangesAsync();
            return partner;
        }

        /// <summary>An approved grant on this world's resource for a new user of <paramref name="partner"/>; returns the user's e-mail and the grant.</summary>
        public async Task<(string Email, Guid GrantId)> UserGrantAsync(TestPartner partner, TimeSpan duration)
        {
            var email = await App.CreateUserAsync(Roles.PartnerUser, partner.Name, partner.Domain);
            await using var db = App.CreateDbContext();
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
            var approverUser = await db.Users.AsNoTracking().SingleAsync(u => u.Email == KillSwitchWorld.Approver);
            var stored = await db.Partners.SingleAsync(p => p.Id == partner.Id);
            var resource = await db.Resources.SingleAsync(r => r.Name == ResourceName);
            var requester = new Actor(user.Id, user.DisplayName, partner.Id, new HashSet<string> { Roles.PartnerUser });
            var approver = new Actor(approverUser.Id, approverUser.DisplayName, null, new HashSet<string> { Roles.Approver });
            var request = AccessRequest.Submit(stored, resource, requester, AccessSubject.ForUser(user.Id), ["data.read"], Now, duration,
                "Reconcile this week's deliveries against our ERP system.", null, Now).Value;
            db.AccessRequests.Add(request);
            var grant = request.Approve(resource, stored, approver, Now).Value!;
            db.Grants.Add(grant);
            await db.SaveChangesAsync();
            return (email, grant.Id);
        }

        public Task<TestClient> ClientGrantAsync(TestPartner partner, TimeSpan duration) =>
            App.CreateServiceClientAsync(partner.Name, partner.AdminEmail, (ResourceName, ["data.read"], duration));

        public Task<Result<CertificationRenewal>> RenewAsync(TestPartner partner, TimeSpan validFor) =>
            App.SendAsync<Result<CertificationRenewal>>(new RenewCertificationCommand(partner.Id, Certification, Now + validFor), KillSwitchWorld.Administrator);

        /// <summary>Every posture mail so far (kinds of <see cref="PostureMailKinds"/>), oldest first.</summary>
        public async Task<List<OutboxMessage>> PostureMailAsync()
        {
            string[] kinds = [PostureMailKinds.CertificationExpiring, PostureMailKinds.CertificationExpiringDigest, PostureMailKinds.GrantsSuspended, PostureMailKinds.GrantsResumed];
            await using var db = App.CreateDbContext();
            var all = await db.OutboxMessages.AsNoTracking().Where(m => kinds.Contains(m.Kind)).ToListAsync();
            return all.OrderBy(m => m.CreatedAt).ThenBy(m => m.To, StringComparer.Ordinal).ToList();
        }

        /// <summary>The mails to <paramref name="to"/>, optionally of one kind.</summary>
        public async Task<List<OutboxMessage>> MailToAsync(string to, string? kind = null) =>
            (await PostureMailAsync()).Where(m => m.To == to && (kind is null || m.Kind == kind)).ToList();

        public async Task<GrantStatus> GrantStatusAsync(Guid id)
        {
            await using var db = App.CreateDbContext();
            return (await db.Grants.AsNoTracking().SingleAsync(g => g.Id == id)).Status;
        }

        private async Task DefineResourceAsync()
        {
            var resource = Resource.Define(ResourceName, ResourceDisplayName, "Data behind a certification, for the posture mail tests.",
                "https://supply.acme.example/" + ResourceName, Sensitivity.High, [new ResourceScope("data.read", "Read the data")],
                AccessPolicy.Create(TimeSpan.FromDays(120), [new ApprovalStage(1, Roles.Approver, 1)], requiredCertifications: [Certification])).Value;
            await using var db = App.CreateDbContext();
            db.Resources.Add(resource);
            await db.SaveChangesAsync();
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Lifecycle_WarnsAt30And7Days_SuspendsAtTheLapse_ResumesAtRenewal_EachMailOnce_EachPartnerItsOwnGrants(DatabaseProvider provider)
    {
        await using var world = await StartWorldAsync(provider);
        var start = world.Now;
        var expiry = start.AddDays(40);
        var partner = await world.PartnerAsync(expiry);
        var other = await world.PartnerAsync(expiry);
        var client = await world.ClientGrantAsync(partner, TimeSpan.FromDays(60));
        var (userEmail, userGrant) = await world.UserGrantAsync(partner, TimeSpan.FromDays(60));
        var endsBefore = await world.ClientGrantAsync(partner, TimeSpan.FromDays(35));
        var otherClient = await world.ClientGrantAsync(other, TimeSpan.FromDays(60));

        // 40 days ahead: no threshold reached.
        await world.SweepAsync();
        Assert.Empty(await world.PostureMailAsync());

        // 30 days ahead: one warning to each partner's admin naming its own grants that are live at the expiry, one digest to the administrator.
        world.Clock.Advance(TimeSpan.FromDays(10));
        await world.SweepAsync();
        await world.SweepAsync();
        var warning = Assert.Single(await world.MailToAsync(partner.AdminEmail));
        Assert.Equal(PostureMailKinds.CertificationExpiring, warning.Kind);
        Assert.Equal(partner.Id, warning.PartnerId);
        Assert.Equal($"{world.Certification} of {partner.Name} expires on {Iso(expiry)}: 2 grants will be suspended", warning.Subject);
        Assert.Contains($"expires on {Iso(expiry)} (in 30 days)", warning.Body, StringComparison.Ordinal);
        Assert.Contains($"- {world.ResourceDisplayName} (data.read) for API client {client.ClientId}", warning.Body, StringComparison.Ordinal);
        Assert.Contains($"- {world.ResourceDisplayName} (data.read) for user Test user <{userEmail}>", warning.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(endsBefore.ClientId, warning.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(otherClient.ClientId, warning.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(other.Name, warning.Body, StringComparison.Ordinal);
        Assert.Contains($"{PortalBaseUrl}/organisation", warning.Body, StringComparison.Ordinal);
        var otherWarning = Assert.Single(await world.MailToAsync(other.AdminEmail));
        Assert.Contains(otherClient.ClientId, otherWarning.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(client.ClientId, otherWarning.Body, StringComparison.Ordinal);
        Assert.Empty(await world.MailToAsync(userEmail));
        var digest = Assert.Single(await world.MailToAsync(KillSwitchWorld.Administrator));
        Assert.Equal(PostureMailKinds.CertificationExpiringDigest, digest.Kind);
        Assert.Null(digest.PartnerId);
        Assert.Equal("Certifications expiring: 2 certifications of 2 partners, 3 grants to be suspended", digest.Subject);
        Assert.Contains(client.ClientId, digest.Body, StringComparison.Ordinal);
        Assert.Contains(otherClient.ClientId, digest.Body, StringComparison.Ordinal);
        Assert.Contains($"{PortalBaseUrl}/partners", digest.Body, StringComparison.Ordinal);

        // Between the thresholds nothing more; at 7 days the second warning, once.
        world.Clock.Advance(TimeSpan.FromDays(20));
        await world.SweepAsync();
        Assert.Single(await world.MailToAsync(partner.AdminEmail));
        world.Clock.Advance(TimeSpan.FromDays(3));
        await world.SweepAsync();
        await world.SweepAsync();
        var warnings = await world.MailToAsync(partner.AdminEmail, PostureMailKinds.CertificationExpiring);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("(in 7 days)", warnings[1].Body, StringComparison.Ordinal);
        Assert.Equal(2, (await world.MailToAsync(KillSwitchWorld.Administrator)).Count);

        // At the lapse: the grants are suspended; the admin learns all of them, the user only theirs, and each mail once.
        world.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        await world.SweepAsync();
        await world.SweepAsync();
        Assert.Equal(GrantStatus.Suspended, await world.GrantStatusAsync(client.GrantIds[0]));
        var suspension = Assert.Single(await world.MailToAsync(partner.AdminEmail, PostureMailKinds.GrantsSuspended));
        Assert.Equal($"Access suspended: {world.Certification} of {partner.Name} expired on {Iso(expiry)}; 2 grants suspended", suspension.Subject);
        Assert.Contains(client.ClientId, suspension.Body, StringComparison.Ordinal);
        Assert.Contains(userEmail, suspension.Body, StringComparison.Ordinal);
        Assert.Contains($"Reason: {Grant.PostureReasonPrefix}{world.Certification} lapsed on", suspension.Body, StringComparison.Ordinal);
        Assert.Contains(PostureMailText.WhatResumes, suspension.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(otherClient.ClientId, suspension.Body, StringComparison.Ordinal);
        var userSuspension = Assert.Single(await world.MailToAsync(userEmail));
        Assert.Equal(PostureMailKinds.GrantsSuspended, userSuspension.Kind);
        Assert.Contains(userEmail, userSuspension.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(client.ClientId, userSuspension.Body, StringComparison.Ordinal);
        var otherSuspension = Assert.Single(await world.MailToAsync(other.AdminEmail, PostureMailKinds.GrantsSuspended));
        Assert.DoesNotContain(client.ClientId, otherSuspension.Body, StringComparison.Ordinal);
        Assert.Equal(2, (await world.MailToAsync(KillSwitchWorld.Administrator)).Count);

        // The renewal resumes the grants and says so to the admin and the user, once.
        var renewal = await world.RenewAsync(partner, TimeSpan.FromDays(365));
        Assert.Equal(new CertificationRenewal(2, 0), renewal.Value);
        await world.SweepAsync();
        var resumption = Assert.Single(await world.MailToAsync(partner.AdminEmail, PostureMailKinds.GrantsResumed));
        Assert.Equal($"Certification renewed for {partner.Name}: 2 grants resumed", resumption.Subject);
        Assert.Contains($"{world.Certification} valid until {Iso(world.Now.AddDays(365))}", resumption.Body, StringComparison.Ordinal);
        Assert.Contains(client.ClientId, resumption.Body, StringComparison.Ordinal);
        Assert.Contains(userEmail, resumption.Body, StringComparison.Ordinal);
        var userResumption = Assert.Single(await world.MailToAsync(userEmail, PostureMailKinds.GrantsResumed));
        Assert.DoesNotContain(client.ClientId, userResumption.Body, StringComparison.Ordinal);
        Assert.Empty(await world.MailToAsync(other.AdminEmail, PostureMailKinds.GrantsResumed));

        // The new expiry date starts a new cycle: 30 days before it, a new warning (no grant lives that long: none affected).
        world.Clock.Advance(TimeSpan.FromDays(336));
        await world.SweepAsync();
        await world.SweepAsync();
        var next = await world.MailToAsync(partner.AdminEmail, PostureMailKinds.CertificationExpiring);
        Assert.Equal(3, next.Count);
        Assert.EndsWith(": no grants affected", next[2].Subject, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task NoLiveGrant_StillWarnsThatTheCertificationExpires_AndTellsOfTheLapseOnce_SayingNothingWasSuspended(DatabaseProvider provider)
    {
        await using var world = await StartWorldAsync(provider);
        var expiry = world.Now.AddDays(5);
        var partner = await world.PartnerAsync(expiry);

        // Recorded with 5 days left: the 7-day warning only, never a late 30-day one.
        await world.SweepAsync();
        await world.SweepAsync();
        var warning = Assert.Single(await world.MailToAsync(partner.AdminEmail));
        Assert.Equal($"{world.Certification} of {partner.Name} expires on {Iso(expiry)}: no grants affected", warning.Subject);
        Assert.Contains("so no access will be suspended", warning.Body, StringComparison.Ordinal);
        Assert.Contains($"Required by:   {world.ResourceDisplayName}", warning.Body, StringComparison.Ordinal);

        world.Clock.Advance(TimeSpan.FromDays(5) + TimeSpan.FromSeconds(1));
        await world.SweepAsync();
        await world.SweepAsync();
        var lapse = Assert.Single(await world.MailToAsync(partner.AdminEmail, PostureMailKinds.GrantsSuspended));
        Assert.Equal($"{world.Certification} of {partner.Name} expired on {Iso(expiry)}: no grants affected", lapse.Subject);
        Assert.Contains("no access was suspended", lapse.Body, StringComparison.Ordinal);
        Assert.Equal(2, (await world.MailToAsync(partner.AdminEmail)).Count);

        // A renewal with nothing to resume sends nothing.
        Assert.Equal(new CertificationRenewal(0, 0), (await world.RenewAsync(partner, TimeSpan.FromDays(365))).Value);
        Assert.Equal(2, (await world.MailToAsync(partner.AdminEmail)).Count);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RenewalAfterAWindowEnded_SaysWhichGrantsResumed_AndWhichExpired(DatabaseProvider provider)
    {
        await using var world = await StartWorldAsync(provider);
        var partner = await world.PartnerAsync(world.Now.AddDays(2));
        var ending = await world.ClientGrantAsync(partner, TimeSpan.FromDays(4));
        var lasting = await world.ClientGrantAsync(partner, TimeSpan.FromDays(30));

        world.Clock.Advance(TimeSpan.FromDays(3));
        await world.SweepAsync();
        Assert.Equal(GrantStatus.Suspended, await world.GrantStatusAsync(ending.GrantIds[0]));

        // The first grant's window ends before the renewal (and before any sweep that would expire it).
        world.Clock.Advance(TimeSpan.FromDays(2));
        var renewal = await world.RenewAsync(partner, TimeSpan.FromDays(365));

        Assert.Equal(new CertificationRenewal(1, 1), renewal.Value);
        var mail = Assert.Single(await world.MailToAsync(partner.AdminEmail, PostureMailKinds.GrantsResumed));
        Assert.Equal($"Certification renewed for {partner.Name}: 1 grant resumed, 1 grant expired", mail.Subject);
        var resumedAt = mail.Body.IndexOf(lasting.ClientId, StringComparison.Ordinal);
        var expiredHeading = mail.Body.IndexOf("These grants expired instead", StringComparison.Ordinal);
        var expiredAt = mail.Body.IndexOf(ending.ClientId, StringComparison.Ordinal);
        Assert.True(resumedAt >= 0 && expiredHeading > resumedAt && expiredAt > expiredHeading, mail.Body);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ConfiguredThresholds_AreTheOnlyWarnings(DatabaseProvider provider)
    {
        await using var world = await StartWorldAsync(provider, settings: new() { ["Posture:WarningDays"] = "14" });
        var partner = await world.PartnerAsync(world.Now.AddDays(40));

        world.Clock.Advance(TimeSpan.FromDays(10));
        await world.SweepAsync();
        Assert.Empty(await world.MailToAsync(partner.AdminEmail));

        world.Clock.Advance(TimeSpan.FromDays(20));
        await world.SweepAsync();
        world.Clock.Advance(TimeSpan.FromDays(9));
        await world.SweepAsync();
        var warning = Assert.Single(await world.MailToAsync(partner.AdminEmail));
        Assert.Contains("(in 10 days)", warning.Body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task TwoNodesTakingTheSameWarning_TheSecondCommitFails_SoItGoesOnce(DatabaseProvider provider)
    {
        await using var world = await StartWorldAsync(provider);
        var partner = await world.PartnerAsync(world.Now.AddDays(20));
        await using var first = world.App.CreateDbContext();
        await using var second = world.App.CreateDbContext();
        var onFirst = await first.Partners.SingleAsync(p => p.Id == partner.Id);
        var onSecond = await second.Partners.SingleAsync(p => p.Id == partner.Id);

        // Both nodes read "not warned yet" (as if the lease had lapsed mid-sweep) and take the 30-day warning.
        Assert.Equal(30, onFirst.TakeExpiryWarningIfDue(onFirst.Certifications.Single(c => c.Name == world.Certification), [30, 7], world.Now));
        Assert.Equal(30, onSecond.TakeExpiryWarningIfDue(onSecond.Certifications.Single(c => c.Name == world.Certification), [30, 7], world.Now));
        await first.SaveChangesAsync();

        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => second.SaveChangesAsync());
        Assert.True(DatabaseErrors.IsUniqueViolation(refused), refused.ToString());
        await using var db = world.App.CreateDbContext();
        Assert.Single((await db.Partners.AsNoTracking().SingleAsync(p => p.Id == partner.Id)).CertificationNotices);
    }

    [Fact]
    public async Task Warning_ReachesThePartnerAdminThroughTheSmtpServer()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var world = await StartWorldAsync(DatabaseProvider.Sqlite, smtp.Port);
        var expiry = world.Now.AddDays(20);
        var partner = await world.PartnerAsync(expiry);
        var client = await world.ClientGrantAsync(partner, TimeSpan.FromDays(30));

        await world.SweepAsync();
        await world.App.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);

        var mail = Assert.Single(smtp.Messages(), m => m.To.Mailboxes.Single().Address == partner.AdminEmail);
        Assert.Equal($"{world.Certification} of {partner.Name} expires on {Iso(expiry)}: 1 grant will be suspended", mail.Subject);
        Assert.Contains($"for API client {client.ClientId}", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"{PortalBaseUrl}/grants", mail.TextBody, StringComparison.Ordinal);
        Assert.Equal(OutboxStatus.Sent, Assert.Single(await world.MailToAsync(partner.AdminEmail)).Status);
    }

    [Fact]
    public async Task BadWarningDays_AppRefusesToStart_NamingTheSetting()
    {
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?> { ["Posture:WarningDays"] = "30,soon" });

        var refusal = Assert.ThrowsAny<Exception>(() => app.Server);

        Assert.Contains("Posture:WarningDays '30,soon' must list whole days from 1 to 365", refusal.ToString(), StringComparison.Ordinal);
    }

    private static Task<World> StartWorldAsync(DatabaseProvider provider, int? smtpPort = null, Dictionary<string, string?>? settings = null) =>
        World.StartAsync(provider, smtpPort, settings);

    private static string Iso(DateTimeOffset value) => PostureMailText.Iso(value);
}
