using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Notifications;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Infrastructure.Mail;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.Web.Features.Notifications;

/// <summary>What a posture mail is about; stored on the outbox message for filtering in the portal.</summary>
public static class PostureMailKinds
{
    public const string CertificationExpiring = "certification.expiring";
    public const string CertificationExpiringDigest = "certification.expiring_digest";
    public const string GrantsSuspended = "posture.suspended";
    public const string GrantsResumed = "posture.resumed";
}

/// <summary><c>Posture</c> configuration: when partners are warned before a required certification expires.</summary>
public sealed class PostureOptions
{
    public const string SectionName = "Posture";

    /// <summary>Days before the expiry at which to warn, comma-separated (default <c>30,7</c>); each 1 to 365.</summary>
    public string WarningDays { get; set; } = "30,7";

    /// <summary>The thresholds, largest first; empty when <see cref="WarningDays"/> is empty (no warnings).</summary>
    public IReadOnlyList<int> Thresholds() =>
        WarningDays.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var days) ? days : -1)
            .Distinct().OrderDescending().ToList();
}

internal sealed class PostureOptionsValidator : IValidateOptions<PostureOptions>
{
    public ValidateOptionsResult Validate(string? name, PostureOptions options) =>
        options.Thresholds().Any(d => d is < 1 or > 365)
            ? ValidateOptionsResult.Fail($"Posture:WarningDays '{options.WarningDays}' must list whole days from 1 to 365, comma-separated, e.g. 30,7.")
            : ValidateOptionsResult.Success;
}

public static class PostureMailRegistration
{
    /// <summary>Posture mail and its <c>Posture</c> settings; a bad <c>Posture:WarningDays</c> stops start-up naming it.</summary>
    public static IServiceCollection AddPostureMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PostureOptions>().Bind(configuration.GetSection(PostureOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PostureOptions>, PostureOptionsValidator>();
        services.AddSingleton<PostureMail>();
        return services;
    }
}

/// <summary>Published after a posture pass committed mail, so the dispatcher sends it at once instead of at its next beat.</summary>
public sealed record PostureMailQueued(int Count) : INotification;

public sealed class PostureMailQueuedHandler(OutboxSignal signal) : INotificationHandler<PostureMailQueued>
{
    public ValueTask Handle(PostureMailQueued notification, CancellationToken cancellationToken)
    {
        signal.Poke();
        return ValueTask.CompletedTask;
    }
}

/// <summary>What one posture pass did to grants, for the mail about it.</summary>
public sealed record PostureChanges(IReadOnlyList<Grant> Suspended, IReadOnlyList<Grant> Resumed, IReadOnlyList<Grant> Expired);

/// <summary>
/// The mail of invariant 8, written to the outbox inside the posture pass's own unit of work: the mail, the marker that it
/// went (<see cref="Partner.CertificationNotices"/>) and the grant changes it reports commit together or not at all. So a
/// warning goes exactly once per (partner, certification, expiry date, threshold) however often and on however many nodes
/// the sweep runs, and a rolled-back pass leaves no mail behind. (Workflow mail is written after commit instead, by
/// <see cref="AccessMailHandler"/>; here the marker needs the same transaction.)
/// Partner admins only ever read their own partner's grants (invariant 4); a holder only their own.
/// </summary>
public sealed class PostureMail(IOptionsMonitor<SmtpOptions> smtpOptions, IOptionsMonitor<PostureOptions> postureOptions)
{
    /// <summary>
    /// Takes the due warnings and lapse notices of <paramref name="partners"/> and writes the mail for them and for
    /// <paramref name="changes"/>; returns the number of messages written. Only certifications some resource requires are
    /// warned about: a lapse of any other changes nothing in PartnerGate.
    /// </summary>
    public async Task<int> QueueAsync(
        IUnitOfWork unitOfWork, IReadOnlyCollection<Partner> partners, IReadOnlyCollection<Resource> requiring, PostureChanges changes, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var thresholds = postureOptions.CurrentValue.Thresholds();
        var warnings = new List<(Partner Partner, PartnerCertification Certification, int Days, List<Resource> RequiredBy)>();
        var lapses = new Dictionary<Guid, List<CertificationDate>>();
        foreach (var partner in partners)
        {
            foreach (var certification in partner.Certifications.ToList())
            {
                var requiredBy = requiring.Where(r => r.Policy.RequiredCertifications.Contains(certification.Name, StringComparer.OrdinalIgnoreCase)).ToList();
                if (requiredBy.Count == 0)
                {
                    continue;
                }

                if (partner.TakeExpiryWarningIfDue(certification, thresholds, now) is { } days)
                {
                    warnings.Add((partner, certification, days, requiredBy));
                }
                else if (partner.TakeLapseNoticeIfDue(certification, now))
                {
                    Add(lapses, partner.Id, new CertificationDate(certification.Name, certification.ValidUntil));
                }
            }
        }

        // The grants each warning is about: live now, and still live when the certification expires.
        var warned = new List<(Partner Partner, PartnerCertification Certification, int Days, List<Resource> RequiredBy, List<Grant> Grants)>();
        foreach (var (partner, certification, days, requiredBy) in warnings)
        {
            var partnerId = partner.Id;
            var resourceIds = requiredBy.Select(r => r.Id).ToList();
            var validUntil = certification.ValidUntil;
            var grants = await db.Grants.AsNoTracking()
                .Where(g => g.PartnerId == partnerId && resourceIds.Contains(g.ResourceId)
                    && (g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled) && g.NotAfter > validUntil)
                .ToListAsync(cancellationToken);
            warned.Add((partner, certification, days, requiredBy, grants));
        }

        var changedPartnerIds = changes.Suspended.Concat(changes.Resumed).Concat(changes.Expired).Select(g => g.PartnerId)
            .Concat(lapses.Keys).Concat(warned.Select(w => w.Partner.Id)).Distinct().ToList();
        if (changedPartnerIds.Count == 0)
        {
            return 0;
        }

        var holderIds = changes.Suspended.Concat(changes.Resumed).Concat(changes.Expired).Concat(warned.SelectMany(w => w.Grants))
            .Select(UserIdOf).OfType<Guid>().Distinct().ToList();
        var holders = await db.Users.AsNoTracking().Where(u => holderIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var admins = (await MailAddressing.UsersInRole(db, Roles.PartnerAdmin).Where(u => u.PartnerId != null && changedPartnerIds.Contains(u.PartnerId.Value)).ToListAsync(cancellationToken))
            .GroupBy(u => u.PartnerId!.Value).ToDictionary(g => g.Key, g => Recipients(g));
        var resources = requiring.ToDictionary(r => r.Id);
        var byId = partners.ToDictionary(p => p.Id);
        var outbox = new List<OutboxMessage>();

        PostureGrantLine Line(Grant grant, bool withReason) => new(
            resources.TryGetValue(grant.ResourceId, out var resource) ? resource.DisplayName : grant.ResourceId.ToString(),
            grant.Scopes, HolderOf(grant, holders), grant.NotBefore, grant.NotAfter, withReason ? grant.StatusReason : null);

        void Queue(Recipient to, MailText text, string kind, Guid? partnerId) =>
            outbox.Add(OutboxMessage.Create(to.Email, MailAddressing.Fit(text.Subject), text.Body, kind, partnerId, now));

        // Before the lapse: the partner's admins, each warning on its own; the manufacturer's administrators, one digest.
        var expiryWarnings = new List<ExpiryWarning>();
        foreach (var (partner, certification, days, requiredBy, grants) in warned)
        {
            var warning = new ExpiryWarning(partner.Name, new CertificationDate(certification.Name, certification.ValidUntil),
                (int)Math.Ceiling((certification.ValidUntil - now).TotalDays), requiredBy.Select(r => r.DisplayName).Order(StringComparer.Ordinal).ToList(),
                grants.Select(g => Line(g, withReason: false)).ToList());
            expiryWarnings.Add(warning);
            foreach (var admin in admins.GetValueOrDefault(partner.Id, []))
            {
                Queue(admin, PostureMailText.Warning(admin.DisplayName, warning, Link), PostureMailKinds.CertificationExpiring, partner.Id);
            }
        }

        if (expiryWarnings.Count > 0)
        {
            var administrators = Recipients(await MailAddressing.UsersInRole(db, Roles.Administrator).Where(u => u.PartnerId == null).ToListAsync(cancellationToken));
            foreach (var administrator in administrators)
            {
                Queue(administrator, PostureMailText.Digest(administrator.DisplayName, expiryWarnings, Link), PostureMailKinds.CertificationExpiringDigest, null);
            }
        }

        // At the lapse: the partner's admins (every suspended grant of the partner, or that none was affected) and each user
        // holding a suspended grant (theirs only) who is not already told as an admin.
        foreach (var partnerId in changes.Suspended.Select(g => g.PartnerId).Concat(lapses.Keys).Distinct())
        {
            if (!byId.TryGetValue(partnerId, out var partner))
            {
                continue;
            }

            var lapsed = partner.Certifications
                .Where(c => c.ValidUntil <= now && requiring.Any(r => r.Policy.RequiredCertifications.Contains(c.Name, StringComparer.OrdinalIgnoreCase)))
                .Select(c => new CertificationDate(c.Name, c.ValidUntil)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            var suspended = changes.Suspended.Where(g => g.PartnerId == partnerId).ToList();
            var partnerAdmins = admins.GetValueOrDefault(partnerId, []);
            foreach (var admin in partnerAdmins)
            {
                Queue(admin, PostureMailText.Suspension(admin.DisplayName, partner.Name, lapsed, suspended.Select(g => Line(g, withReason: true)).ToList(), now,
                    toPartnerAdmin: true, Link), PostureMailKinds.GrantsSuspended, partnerId);
            }

            foreach (var (holder, theirs) in ByHolder(suspended, holders, partnerId, partnerAdmins))
            {
                Queue(holder, PostureMailText.Suspension(holder.DisplayName, partner.Name, lapsed, theirs.Select(g => Line(g, withReason: true)).ToList(), now,
                    toPartnerAdmin: false, Link), PostureMailKinds.GrantsSuspended, partnerId);
            }
        }

        // After a renewal: the same people, about what resumed and what expired because its window had passed.
        foreach (var partnerId in changes.Resumed.Concat(changes.Expired).Select(g => g.PartnerId).Distinct())
        {
            if (!byId.TryGetValue(partnerId, out var partner))
            {
                continue;
            }

            var resumed = changes.Resumed.Where(g => g.PartnerId == partnerId).ToList();
            var expired = changes.Expired.Where(g => g.PartnerId == partnerId).ToList();
            var required = resumed.Concat(expired).Select(g => resources.GetValueOrDefault(g.ResourceId)).OfType<Resource>()
                .SelectMany(r => r.Policy.RequiredCertifications).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var valid = partner.Certifications.Where(c => c.ValidUntil > now && required.Contains(c.Name))
                .Select(c => new CertificationDate(c.Name, c.ValidUntil)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            var partnerAdmins = admins.GetValueOrDefault(partnerId, []);
            foreach (var admin in partnerAdmins)
            {
                Queue(admin, PostureMailText.Resumption(admin.DisplayName, partner.Name, valid, resumed.Select(g => Line(g, false)).ToList(),
                    expired.Select(g => Line(g, false)).ToList(), now, toPartnerAdmin: true, Link), PostureMailKinds.GrantsResumed, partnerId);
            }

            foreach (var (holder, theirs) in ByHolder(resumed.Concat(expired), holders, partnerId, partnerAdmins))
            {
                Queue(holder, PostureMailText.Resumption(holder.DisplayName, partner.Name, valid, theirs.Where(resumed.Contains).Select(g => Line(g, false)).ToList(),
                    theirs.Where(expired.Contains).Select(g => Line(g, false)).ToList(), now, toPartnerAdmin: false, Link), PostureMailKinds.GrantsResumed, partnerId);
            }
        }

        db.OutboxMessages.AddRange(outbox);
        if (outbox.Count > 0)
        {
            unitOfWork.PublishAfterCommit(new PostureMailQueued(outbox.Count));
        }

        return outbox.Count;
    }

    private string Link(string path) => smtpOptions.CurrentValue.Link(path);

    private static void Add(Dictionary<Guid, List<CertificationDate>> map, Guid key, CertificationDate value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }

    private static Guid? UserIdOf(Grant grant) =>
        grant.Subject.Kind == SubjectKind.User && Guid.TryParse(grant.Subject.Id, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>A user by name and address (the partner's admins know their own users), an API client by its id.</summary>
    private static string HolderOf(Grant grant, IReadOnlyDictionary<Guid, PartnerGateUser> users) =>
        UserIdOf(grant) is { } id
            ? users.TryGetValue(id, out var user) ? $"user {MailAddressing.DisplayNameOf(user)} <{user.Email}>" : "a user who no longer exists"
            : $"API client {grant.Subject.Id}";

    /// <summary>
    /// Each user holding some of <paramref name="grants"/> with their own grants, if the user still belongs to the grants' partner
    /// (invariant 4) and is not one of <paramref name="alreadyTold"/>.
    /// </summary>
    private static IEnumerable<(Recipient Holder, List<Grant> Grants)> ByHolder(
        IEnumerable<Grant> grants, IReadOnlyDictionary<Guid, PartnerGateUser> users, Guid partnerId, IReadOnlyList<Recipient> alreadyTold) =>
        from grant in grants
        let userId = UserIdOf(grant)
        where userId is not null && users.TryGetValue(userId.Value, out var user) && user.PartnerId == partnerId && user.Email != null
            && !alreadyTold.Any(r => string.Equals(r.Email, user.Email, StringComparison.OrdinalIgnoreCase))
        group grant by userId.Value into mine
        let holder = users[mine.Key]
        orderby holder.Email
        select (new Recipient(holder.Email!, MailAddressing.DisplayNameOf(holder)), mine.ToList());

    private static List<Recipient> Recipients(IEnumerable<PartnerGateUser> users) => users
        .DistinctBy(u => u.Id)
        .Select(u => new Recipient(u.Email!, MailAddressing.DisplayNameOf(u)))
        .OrderBy(r => r.Email, StringComparer.OrdinalIgnoreCase)
        .ToList();

    private sealed record Recipient(string Email, string DisplayName);
}
