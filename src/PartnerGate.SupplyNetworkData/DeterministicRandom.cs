using System.Text;

namespace PartnerGate.SupplyNetworkData;

/// <summary>
/// SplitMix64 seeded from the partner id and the data set's name. System.Random's seeded sequence is not
/// promised to stay the same across .NET versions; this one is spelled out here, so the demo data is the same on
/// every machine, every start and every runtime.
/// </summary>
internal sealed class DeterministicRandom
{
    private ulong state;

    public DeterministicRandom(Guid partnerId, string dataSet)
    {
        // FNV-1a over the id's bytes and the data set's name: each data set gets its own stream, so adding a field to
        // one generator does not change the values of the others.
        var hash = 14695981039346656037UL;
        foreach (var value in partnerId.ToByteArray().Concat(Encoding.UTF8.GetBytes(dataSet)))
        {
            hash = (hash ^ value) * 1099511628211UL;
        }

        state = hash;
    }

    /// <summary>An integer in [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public int Between(int minimum, int maximum) => minimum + (int)(Next() % (ulong)(maximum - minimum + 1));

    /// <summary>A number in [<paramref name="minimum"/>, <paramref name="maximum"/>), rounded to <paramref name="decimals"/>.</summary>
    public double Between(double minimum, double maximum, int decimals) =>
        Math.Round(minimum + ((Next() >> 11) * (1.0 / (1UL << 53)) * (maximum - minimum)), decimals);

    public bool Chance(int percent) => Between(1, 100) <= percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[Between(0, items.Count - 1)];

    private ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
