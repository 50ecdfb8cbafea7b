using System.Globalization;
using System.Text;

namespace PartnerGate.Web.Features.Notifications;

/// <summary>One grant as a posture mail lists it: what, for whom, its window, and (once suspended) why.</summary>
public sealed record PostureGrantLine(string Resource, IReadOnlyList<string> Scopes, string Holder, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string? Reason = null);

/// <summary>A certification of a partner and the date it is (or was) valid until.</summary>
public sealed record CertificationDate(string Name, DateTimeOffset ValidUntil);

/// <summary>
/// A warning that a partner's certification expires: the resources that require it and the live grants that will be
/// suspended on that date (possibly none).
/// </summary>
public sealed record ExpiryWarning(
    string PartnerName, CertificationDate Certification, int DaysLeft, IReadOnlyList<string> RequiredBy, IReadOnlyList<PostureGrantLine> Grants);

/// <summary>A composed mail: one line of subject, a plain-text body.</summary>
public sealed record MailText(string Subject, string Body);

/// <summary>
/// The words of the posture mails (invariant 8): warnings before a certification lapses, the suspension when it has, and
/// the resumption after a renewal. Pure functions of their facts, so the wording is unit-tested; times are UTC ISO-8601 to
/// the second; bodies name resources, scopes, holders and dates, never tokens or secrets.
/// </summary>
public static class PostureMailText
{
    /// <summary>What resumes a suspended grant, said the same way in every mail that mentions it.</summary>
    public const string WhatResumes =
        "What resumes them: the manufacturer's PartnerGate administrator records the renewed certification. Each grant then resumes at once, " +
        "as long as its window has not ended; a grant whose window ends before the renewal expires and must be requested again.";

    public static MailText Warning(string recipientName, ExpiryWarning warning, Func<string, string> link)
    {
        var certification = warning.Certification;
        var subject = warning.Grants.Count == 0
            ? $"{certification.Name} of {warning.PartnerName} expires on {Iso(certification.ValidUntil)}: no grants affected"
            : $"{certification.Name} of {warning.PartnerName} expires on {Iso(certification.ValidUntil)}: {Count(warning.Grants.Count, "grant")} will be suspended";
        return new MailText(subject, Body(recipientName, body =>
        {
            body.AppendLine(CultureInfo.InvariantCulture,
                $"The {certification.Name} certification of {warning.PartnerName} recorded in PartnerGate expires on {Iso(certification.ValidUntil)} (in {Count(warning.DaysLeft, "day")}).");
            body.AppendLine(CultureInfo.InvariantCulture, $"Required by:   {string.Join(", ", warning.RequiredBy)}");
            body.AppendLine();
            if (warning.Grants.Count == 0)
            {
                body.AppendLine(CultureInfo.InvariantCulture,
                    $"No live grant of {warning.PartnerName} depends on it today, so no access will be suspended. From that date, new access requests for these resources are refused until the renewal is recorded.");
            }
            else
            {
                body.AppendLine(CultureInfo.InvariantCulture,
                    $"On that date PartnerGate suspends these {Count(warning.Grants.Count, "grant")}, and tokens issued for them stop working:");
                body.AppendLine();
                AppendGrants(body, warning.Grants);
                body.AppendLine();
                body.AppendLine("New access requests for these resources are refused from that date until the renewal is recorded.");
            }

            body.AppendLine();
            body.AppendLine("To keep access without interruption, send the renewed certificate to the manufacturer's PartnerGate administrator before that date.");
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"Your organisation: {link("/organisation")}");
            body.AppendLine(CultureInfo.InvariantCulture, $"Your grants:       {link("/grants")}");
        }, PartnerAdminFooter(warning.PartnerName)));
    }

    /// <summary>To the manufacturer's administrators: every warning one sweep gave, in one mail.</summary>
    public static MailText Digest(string recipientName, IReadOnlyList<ExpiryWarning> warnings, Func<string, string> link)
    {
        var grants = warnings.Sum(w => w.Grants.Count);
        var partners = warnings.Select(w => w.PartnerName).Distinct(StringComparer.Ordinal).Count();
        var subject = $"Certifications expiring: {Count(warnings.Count, "certification")} of {Count(partners, "partner")}, {Count(grants, "grant")} to be suspended";
        return new MailText(subject, Body(recipientName, body =>
        {
            body.AppendLine("These partner certifications expire soon. The partners' administrators were told the same about their own partner.");
            foreach (var warning in warnings.OrderBy(w => w.Certification.ValidUntil).ThenBy(w => w.PartnerName, StringComparer.Ordinal))
            {
                body.AppendLine();
                body.AppendLine(CultureInfo.InvariantCulture,
                    $"{warning.PartnerName}: {warning.Certification.Name} expires on {Iso(warning.Certification.ValidUntil)} (in {Count(warning.DaysLeft, "day")}), required by {string.Join(", ", warning.RequiredBy)}.");
                if (warning.Grants.Count == 0)
                {
                    body.AppendLine("No live grant is affected.");
                }
                else
                {
                    body.AppendLine(CultureInfo.InvariantCulture, $"{Count(warning.Grants.Count, "grant")} will be suspended on that date:");
                    AppendGrants(body, warning.Grants);
                }
            }

            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"Record a renewal on the partners page: {link("/partners")}");
        }, "You receive this mail because you are a PartnerGate administrator."));
    }

    /// <summary>
    /// At the lapse: which grants were suspended and why, and what resumes them. <paramref name="lapsed"/> names the partner's
    /// lapsed certifications; with no grants it tells the partner's admins that the lapse affected no live access.
    /// </summary>
    public static MailText Suspension(
        string recipientName, string partnerName, IReadOnlyList<CertificationDate> lapsed, IReadOnlyList<PostureGrantLine> grants, DateTimeOffset at,
        bool toPartnerAdmin, Func<string, string> link)
    {
        var what = lapsed.Count == 0
            ? "a required certification is missing"
            : string.Join(", ", lapsed.Select(c => $"{c.Name} of {partnerName} expired on {Iso(c.ValidUntil)}"));
        var subject = grants.Count == 0
            ? $"{what}: no grants affected"
            : $"Access suspended: {what}; {Count(grants.Count, "grant")} suspended";
        return new MailText(subject, Body(recipientName, body =>
        {
            if (grants.Count == 0)
            {
                body.AppendLine(CultureInfo.InvariantCulture, $"The certification {what}. No live grant of {partnerName} depended on it, so no access was suspended.");
                body.AppendLine("New access requests for the resources that require it are refused until the manufacturer's PartnerGate administrator records the renewal.");
            }
            else
            {
                var whose = toPartnerAdmin ? $"grants of {partnerName}" : "grants you hold";
                body.AppendLine(CultureInfo.InvariantCulture,
                    $"PartnerGate suspended these {whose} at {Iso(at)} because {what}. Tokens issued for them no longer work:");
                body.AppendLine();
                AppendGrants(body, grants);
                body.AppendLine();
                body.AppendLine(WhatResumes);
                body.AppendLine("New access requests for these resources are refused until then.");
            }

            body.AppendLine();
            if (toPartnerAdmin)
            {
                body.AppendLine(CultureInfo.InvariantCulture, $"Your organisation: {link("/organisation")}");
            }

            body.AppendLine(CultureInfo.InvariantCulture, $"Your grants:       {link("/grants")}");
        }, toPartnerAdmin ? PartnerAdminFooter(partnerName) : HolderFooter));
    }

    /// <summary>After a renewal: which grants resumed, and which expired instead because their window had ended.</summary>
    public static MailText Resumption(
        string recipientName, string partnerName, IReadOnlyList<CertificationDate> valid, IReadOnlyList<PostureGrantLine> resumed, IReadOnlyList<PostureGrantLine> expired,
        DateTimeOffset at, bool toPartnerAdmin, Func<string, string> link)
    {
        var parts = new List<string>();
        if (resumed.Count > 0)
        {
            parts.Add($"{Count(resumed.Count, "grant")} resumed");
        }

        if (expired.Count > 0)
        {
            parts.Add($"{Count(expired.Count, "grant")} expired");
        }

        var renewed = string.Join(", ", valid.Select(c => $"{c.Name} valid until {Iso(c.ValidUntil)}"));
        var subject = $"Certification renewed for {partnerName}: {string.Join(", ", parts)}";
        return new MailText(subject, Body(recipientName, body =>
        {
            body.AppendLine(CultureInfo.InvariantCulture,
                $"The manufacturer recorded the renewed certification of {partnerName}{(renewed.Length == 0 ? string.Empty : $" ({renewed})")} at {Iso(at)}.");
            if (resumed.Count > 0)
            {
                body.AppendLine();
                body.AppendLine("These grants resumed; tokens for them work again until the end of their window:");
                body.AppendLine();
                AppendGrants(body, resumed);
            }

            if (expired.Count > 0)
            {
                body.AppendLine();
                body.AppendLine("These grants expired instead, because their window ended while they were suspended; request access again if it is still needed:");
                body.AppendLine();
                AppendGrants(body, expired);
            }

            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"Your grants:       {link("/grants")}");
            body.AppendLine(CultureInfo.InvariantCulture, $"Request access:    {link("/requests")}");
        }, toPartnerAdmin ? PartnerAdminFooter(partnerName) : HolderFooter));
    }

    private const string HolderFooter = "You receive this mail because you hold the grants it names in PartnerGate.";

    private static string PartnerAdminFooter(string partnerName) => $"You receive this mail because you are a partner administrator of {partnerName} in PartnerGate.";

    private static void AppendGrants(StringBuilder body, IEnumerable<PostureGrantLine> grants)
    {
        foreach (var grant in grants.OrderBy(g => g.Resource, StringComparer.Ordinal).ThenBy(g => g.NotAfter).ThenBy(g => g.Holder, StringComparer.Ordinal))
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"- {grant.Resource} ({string.Join(", ", grant.Scopes)}) for {grant.Holder}");
            body.AppendLine(CultureInfo.InvariantCulture, $"  Window: {Iso(grant.NotBefore)} to {Iso(grant.NotAfter)}");
            if (grant.Reason is { Length: > 0 } reason)
            {
                body.AppendLine(CultureInfo.InvariantCulture, $"  Reason: {reason}");
            }
        }
    }

    private static string Body(string recipientName, Action<StringBuilder> content, string footer)
    {
        var body = new StringBuilder();
        body.AppendLine(CultureInfo.InvariantCulture, $"Hello {recipientName},");
        body.AppendLine();
        content(body);
        body.AppendLine();
        body.AppendLine("-- ");
        body.AppendLine(footer);
        return body.ToString();
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";

    /// <summary>UTC, ISO-8601, to the second, as every PartnerGate mail writes times.</summary>
    public static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
