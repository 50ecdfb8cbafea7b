namespace PartnerGate.RevocationBench;

/// <summary>Percentiles by the nearest-rank method: p99 of 1,000 samples is the 990th smallest.</summary>
public static class Statistics
{
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    public static string Summary(string name, IEnumerable<double> values, string unit)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0
            ? $"{name}: no samples"
            : $"{name}: n={sorted.Count} min={sorted[0]:F1}{unit} p50={Percentile(sorted, 50):F1}{unit} p90={Percentile(sorted, 90):F1}{unit} " +
              $"p99={Percentile(sorted, 99):F1}{unit} max={sorted[^1]:F1}{unit} mean={sorted.Average():F1}{unit}";
    }
}
