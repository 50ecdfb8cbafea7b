using PartnerGate.Domain.Common;

namespace PartnerGate.Domain.Partners;

public enum PartnerStatus
{
    Active,
    Suspended,
}

/// <summary>An external organisation: supplier, logistics provider, service technician.</summary>
public sealed class Partner
{
    private readonly List<PartnerDomain> domains = [];
    private readonly List<PartnerCertification> certifications = [];
    private readonly List<CertificationNotice> certificationNotices = [];

    private Partner()
    {
        Name = string.Empty;
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public PartnerStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public string? SuspensionReason { get; private set; }
    public IReadOnlyList<PartnerDomain> Domains => domains;
    public IReadOnlyList<PartnerCertification> Certifications => certifications;

    /// <summary>The posture mails already given about the certifications as they stand (one row each), so each goes exactly once.</summary>
    public IReadOnlyList<CertificationNotice> CertificationNotices => certificationNotices;

    public static Result<Partner> Register(string name, IEnumerable<string> verifiedDomains, DateTimeOffset now, Guid? id = null)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Error.Validation("partner.name_required", "A partner needs a name.");
        }

        var partner = new Partner { Id = id ?? Guid.NewGuid(), Name = name.Trim(), Status = PartnerStatus.Active, CreatedAt = Clock.Normalize(now) };
        foreach (var domain in verifiedDomains)
        {
            var added = partner.AddDomain(domain);
            if (!added.IsSuccess)
            {
                return added.Error!;
            }
        }

        return partner;
    }

    public Result AddDomain(string domain)
    {
        var normalized = PartnerDomain.Normalize(domain);
        if (normalized is null)
        {
            return Error.Validation("partner.domain_invalid", $"'{domain}' is not a valid e-mail domain.");
        }

        if (domains.Any(d => d.Name == normalized))
        {
            return Error.Conflict("partner.domain_duplicate", $"The domain '{normalized}' is already verified for {Name}.");
        }

        domains.Add(new PartnerDomain(normalized));
        return Result.Success();
    }

    /// <summary>True when the e-mail address is in one of the partner's verified domains (exact domain, not sub-domains).</summary>
    public bool OwnsEmail(string email)
    {
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
        {
            return false;
        }

        var domain = PartnerDomain.Normalize(email[(at + 1)..]);
        return domain is not null && domains.Any(d => d.Name == domain);
    }

    public Result AddCertification(string name, DateTimeOffset validUntil)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Error.Validation("partner.certification_name_required", "A certification needs a name.");
        }

        var trimmed = name.Trim();
        var until = Clock.Normalize(validUntil);
        certifications.RemoveAll(c => string.Equals(c.Name, trimmed, StringComparison.OrdinalIgnoreCase));
        certifications.Add(new PartnerCertification(trimmed, until));

        // A new expiry date starts a new cycle of warnings; the notices about the old date are history (the audit trail keeps
        // the renewal). Re-entering the same date keeps them, so nobody is warned twice about the same expiry.
        certificationNotices.RemoveAll(n => string.Equals(n.Certification, trimmed, StringComparison.OrdinalIgnoreCase) && n.ValidUntil != until);
        return Result.Success();
    }

    /// <summary>
    /// The warning threshold (in days) due for <paramref name="certification"/> at <paramref name="now"/> and not given yet,
    /// recorded as given; null when none is due. The due threshold is the smallest one the remaining time falls within, so a
    /// certification recorded with 5 days left gets the 7-day warning only, never a late 30-day one.
    /// </summary>
    public int? TakeExpiryWarningIfDue(PartnerCertification certification, IEnumerable<int> warningDays, DateTimeOffset now)
    {
        var left = certification.ValidUntil - now;
        if (left <= TimeSpan.Zero)
        {
            return null;
        }

        int? due = warningDays.Where(d => d > 0 && left <= TimeSpan.FromDays(d)).Order().Select(d => (int?)d).FirstOrDefault();
        if (due is not { } days || NoticesFor(certification).Any(n => CertificationNotice.WarningDays(n.Notice) is { } given && given <= days))
        {
            return null;
        }

        certificationNotices.Add(new CertificationNotice(certification.Name, certification.ValidUntil, CertificationNotice.Warning(days), Clock.Normalize(now)));
        return days;
    }

    /// <summary>Records that the partner was told <paramref name="certification"/> lapsed; false when it was told already.</summary>
    public bool TakeLapseNoticeIfDue(PartnerCertification certification, DateTimeOffset now)
    {
        if (certification.ValidUntil > now || NoticesFor(certification).Any(n => n.Notice == CertificationNotice.Lapsed))
        {
            return false;
        }

        certificationNotices.Add(new CertificationNotice(certification.Name, certification.ValidUntil, CertificationNotice.Lapsed, Clock.Normalize(now)));
        return true;
    }

    private IEnumerable<CertificationNotice> NoticesFor(PartnerCertification certification) =>
        certificationNotices.Where(n => string.Equals(n.Certification, certification.Name, StringComparison.OrdinalIgnoreCase) && n.ValidUntil == certification.ValidUntil);

    /// <summary>Invariant 8: a certification counts only while its expiry lies in the future.</summary>
    public bool HasValidCertification(string name, DateTimeOffset now) =>
        certifications.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase) && c.ValidUntil > now);

    /// <summary>The required certifications this partner lacks or has let lapse at <paramref name="now"/>.</summary>
    public IReadOnlyList<string> MissingCertifications(IEnumerable<string> required, DateTimeOffset now) =>
        required.Where(r => !HasValidCertification(r, now)).ToList();

    public Result Suspend(string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Error.Validation("partner.suspension_reason_required", "Say why the partner is suspended.");
        }

        if (Status == PartnerStatus.Suspended)
        {
            return Error.Conflict("partner.already_suspended", $"{Name} is already suspended.");
        }

        Status = PartnerStatus.Suspended;
        SuspensionReason = reason.Trim();
        return Result.Success();
    }

    public Result Reinstate()
    {
        if (Status == PartnerStatus.Active)
        {
            return Error.Conflict("partner.not_suspended", $"{Name} is not suspended.");
        }

        Status = PartnerStatus.Active;
        SuspensionReason = null;
        return Result.Success();
    }
}

/// <summary>A verified e-mail domain, stored lower-case without a trailing dot.</summary>
public sealed record PartnerDomain(string Name)
{
    public static string? Normalize(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return null;
        }

        var value = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (value.Length > 253 || !value.Contains('.', StringComparison.Ordinal) ||
            Uri.CheckHostName(value) != UriHostNameType.Dns)
        {
            return null;
        }

        return value;
    }
}

/// <summary>A certification such as a TISAX label or ISO 27001, valid until a date.</summary>
public sealed record PartnerCertification(string Name, DateTimeOffset ValidUntil);

/// <summary>
/// A posture mail given about one certification with one expiry date: a warning <c>warning:30</c>, <c>warning:7</c>, …
/// or <c>lapsed</c>. The key (partner, certification, expiry date, notice) makes each one go exactly once, even if two
/// nodes swept at the same moment: the second insert fails and its whole pass rolls back.
/// </summary>
public sealed record CertificationNotice(string Certification, DateTimeOffset ValidUntil, string Notice, DateTimeOffset SentAt)
{
    public const string Lapsed = "lapsed";
    private const string WarningPrefix = "warning:";

    public static string Warning(int days) => WarningPrefix + days.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The threshold of a warning notice, null for any other notice.</summary>
    public static int? WarningDays(string notice) =>
        notice.StartsWith(WarningPrefix, StringComparison.Ordinal)
        && int.TryParse(notice.AsSpan(WarningPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days)
            ? days
            : null;
}
