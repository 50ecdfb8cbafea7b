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
        certifications.RemoveAll(c => string.Equals(c.Name, trimmed, StringComparison.OrdinalIgnoreCase));
        certifications.Add(new PartnerCertification(trimmed, Clock.Normalize(validUntil)));
        return Result.Success();
    }

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
