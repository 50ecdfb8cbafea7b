using System.Globalization;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>
/// Reads the admin API's query-string filters, collecting one message per bad field (named as in the query string),
/// so a bad filter is a 400 problem that says which parameter to fix — never a silently ignored filter, never a 500.
/// </summary>
public sealed class AdminApiQueryReader
{
    public const int DefaultPageSize = 50;
    public const int MaximumPageSize = 200;
    public const int MaximumTextLength = 200;

    private readonly Dictionary<string, string[]> errors = new(StringComparer.Ordinal);

    public int Page(string? value) => Number("page", value, 1, 1, int.MaxValue / MaximumPageSize);

    public int PageSize(string? value) => Number("pageSize", value, DefaultPageSize, 1, MaximumPageSize);

    /// <summary>An enum by name, case-insensitive; digits are refused (an enum's number is no contract).</summary>
    public TEnum? Enum<TEnum>(string field, string? value)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.All(char.IsAsciiLetter) && System.Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed))
        {
            return parsed;
        }

        errors[field] = [$"'{Shorten(value)}' is not a valid {field}; use one of: {string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}."];
        return null;
    }

    public Guid? Id(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (Guid.TryParse(value, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        errors[field] = [$"'{Shorten(value)}' is not a valid {field} id; expected a GUID such as b0170000-0000-4000-8000-000000000001."];
        return null;
    }

    public string? Text(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (value.Length > MaximumTextLength)
        {
            errors[field] = [$"{field} is at most {MaximumTextLength} characters."];
            return null;
        }

        return value.Trim();
    }

    /// <summary>The collected problems, or null when every field was fine.</summary>
    public Error? Error => errors.Count == 0
        ? null
        : Domain.Common.Error.Validation("invalid_query", string.Join(" ", errors.Values.SelectMany(m => m))) with { FieldErrors = errors };

    private int Number(string field, string? value, int fallback, int minimum, int maximum)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum)
        {
            return number;
        }

        errors[field] = [$"{field} must be a whole number from {minimum} to {maximum}."];
        return fallback;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

/// <summary>One page of a list: the items, where the page is, and how many match in all.</summary>
public sealed record AdminPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);
