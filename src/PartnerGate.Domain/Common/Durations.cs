namespace PartnerGate.Domain.Common;

public static class Durations
{
    /// <summary>A duration in the words a person would use: "7 days", "8 hours", "1 day 4 hours", "30 minutes".</summary>
    public static string Describe(TimeSpan duration)
    {
        var parts = new List<string>();
        Add(parts, duration.Days, "day");
        Add(parts, duration.Hours, "hour");
        Add(parts, duration.Minutes, "minute");
        return parts.Count == 0 ? "less than a minute" : string.Join(' ', parts);

        static void Add(List<string> parts, int value, string unit)
        {
            if (value > 0)
            {
                parts.Add(value == 1 ? $"1 {unit}" : $"{value} {unit}s");
            }
        }
    }
}
