using System.Text.Json;

namespace PartnerGate.SupplyNetworkApi.Endpoints;

/// <summary>Reads an enum filter by the name the API writes in its JSON (camelCase), never by number.</summary>
public static class QueryFilter
{
    public static bool TryParseEnum<TEnum>(string? text, string parameter, Dictionary<string, string[]> errors, out TEnum? value)
        where TEnum : struct, Enum
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(JsonNamingPolicy.CamelCase.ConvertName(candidate.ToString()), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        var names = string.Join(", ", Enum.GetValues<TEnum>().Select(c => JsonNamingPolicy.CamelCase.ConvertName(c.ToString())));
        errors[parameter] = [$"{parameter} must be one of: {names}."];
        return false;
    }

    /// <summary>A free-text filter matches exactly (ignoring case); absent means "all".</summary>
    public static bool Matches(string? filter, string value) => filter is null || string.Equals(filter, value, StringComparison.OrdinalIgnoreCase);
}
