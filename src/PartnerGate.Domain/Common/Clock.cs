namespace PartnerGate.Domain.Common;

public static class Clock
{
    /// <summary>
    /// Truncates to whole microseconds and UTC: the finest precision all three database providers keep
    /// (PostgreSQL's timestamptz), so a value read back equals the value written — which the audit
    /// hash chain depends on.
    /// </summary>
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.UtcTicks - (utc.UtcTicks % 10), TimeSpan.Zero);
    }
}
