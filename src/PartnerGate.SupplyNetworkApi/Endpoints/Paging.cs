using System.Globalization;

namespace PartnerGate.SupplyNetworkApi.Endpoints;

/// <summary>One page of a list, with what a client needs to ask for the next one.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Offset, int Limit, int Total);

/// <summary><c>?offset=</c> and <c>?limit=</c>, checked by hand so a bad value gets a problem naming the parameter.</summary>
public readonly record struct PageRequest(int Offset, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaximumLimit = 200;

    public static bool TryParse(string? offset, string? limit, out PageRequest page, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var parsedOffset = 0;
        var parsedLimit = DefaultLimit;
        if (offset is not null && (!int.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out parsedOffset) || parsedOffset < 0))
        {
            errors["offset"] = ["offset must be a whole number of 0 or more."];
        }

        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out parsedLimit) || parsedLimit is < 1 or > MaximumLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaximumLimit}."];
        }

        page = new PageRequest(parsedOffset, parsedLimit);
        return errors.Count == 0;
    }

    public Page<T> Apply<T>(IReadOnlyList<T> rows) => new([.. rows.Skip(Offset).Take(Limit)], Offset, Limit, rows.Count);
}
