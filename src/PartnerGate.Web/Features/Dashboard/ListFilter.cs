using System.Globalization;

namespace PartnerGate.Web.Features.Dashboard;

/// <summary>
/// A filter a list took from its address (the dashboard's links set them), shown as a removable chip: removing
/// it drops <see cref="Parameters"/> from the query string. <see cref="Invalid"/> marks a value the list could
/// not read, which it reports instead of silently ignoring.
/// </summary>
public sealed record ListFilter(string Label, IReadOnlyList<string> Parameters, bool Invalid = false)
{
    public ListFilter(string label, string parameter, bool invalid = false)
        : this(label, [parameter], invalid)
    {
    }

    /// <summary>Reads a query-string value that must be one of the enum's names (any case; numbers refused).</summary>
    public static bool TryParseName<TEnum>(string? value, out TEnum? parsed)
        where TEnum : struct, Enum
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        var name = Enum.GetNames<TEnum>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            return false;
        }

        parsed = Enum.Parse<TEnum>(name);
        return true;
    }

    public static bool TryParseNumber(string? value, out int? parsed)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        parsed = number;
        return true;
    }

    public static bool TryParseId(string? value, out Guid? parsed)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        if (!Guid.TryParse(value.Trim(), out var id))
        {
            return false;
        }

        parsed = id;
        return true;
    }

    /// <summary>The chip of a value that did not parse: names the parameter and value, so the person sees what to remove.</summary>
    public static ListFilter Unreadable(string parameter, string? value) => new($"{parameter}={value}: not understood", parameter, invalid: true);
}
