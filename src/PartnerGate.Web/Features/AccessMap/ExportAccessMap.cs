using System.Globalization;
using System.Text;
using Mediator;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Web.Features.AccessMap;

/// <summary>
/// <c>GET /access-map/export.csv?partner=&amp;resource=&amp;sensitivity=</c>: the map's table as CSV, for the signed-in
/// browser session. It sends the same query as the page, so the same scoping holds (a partner admin gets their own
/// partner's rows; another partner's id gives a header and nothing else).
/// </summary>
public static class ExportAccessMap
{
    public const string Path = "/access-map/export.csv";

    public static readonly IReadOnlyList<string> Columns =
        ["Partner", "Holder", "Holder kind", "Resource", "Audience", "Sensitivity", "Scopes", "State", "Starts (UTC)", "Ends (UTC)", "Grant id"];

    /// <summary>The link to the export with the page's current filters.</summary>
    public static string Link(Guid? partner, Guid? resource, Sensitivity? sensitivity)
    {
        var query = new List<string>();
        if (partner is { } p)
        {
            query.Add("partner=" + p);
        }

        if (resource is { } r)
        {
            query.Add("resource=" + r);
        }

        if (sensitivity is { } s)
        {
            query.Add("sensitivity=" + s);
        }

        return query.Count == 0 ? Path : Path + "?" + string.Join('&', query);
    }

    public static IEndpointRouteBuilder MapAccessMapExport(this IEndpointRouteBuilder endpoints)
    {
        // A download is not a page: anonymous gets 401 and a partner user 403, rather than a redirect to an HTML sign-in form.
        endpoints.MapGet(Path, ExportAsync).RequireAuthorization(AccessMapPolicies.Viewer).DisableCookieRedirect();
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(string? partner, string? resource, string? sensitivity, IMediator mediator, CancellationToken cancellationToken)
    {
        // Parsed here rather than bound, so a malformed value is a problem naming the parameter, never an exception page.
        var errors = new Dictionary<string, string[]>();
        var partnerId = ParseId(partner, nameof(partner), errors);
        var resourceId = ParseId(resource, nameof(resource), errors);
        Sensitivity? level = null;
        if (sensitivity is not null)
        {
            if (Enum.TryParse<Sensitivity>(sensitivity, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !sensitivity.Any(char.IsAsciiDigit))
            {
                level = parsed;
            }
            else
            {
                errors[nameof(sensitivity)] = [$"sensitivity must be one of: {string.Join(", ", Enum.GetNames<Sensitivity>())}."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The export's filters are not valid.");
        }

        var result = await mediator.Send(new GetAccessMapQuery(partnerId, resourceId, level), cancellationToken);
        if (!result.IsSuccess)
        {
            return result.Error!.Kind switch
            {
                ErrorKind.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: result.Error.Message),
                _ => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The export's filters are not valid.", detail: result.Error.Message),
            };
        }

        var map = result.Value;
        var fileName = $"access-map-{map.GeneratedAt.UtcDateTime.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture)}Z.csv";
        return TypedResults.File(Encoding.UTF8.GetBytes(ToCsv(map.Grants)), "text/csv; charset=utf-8", fileName);
    }

    /// <summary>RFC 4180 CSV of the grants: a header row, then one row per grant, CRLF line ends.</summary>
    public static string ToCsv(IEnumerable<AccessMapGrant> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var csv = new StringBuilder();
        AppendRow(csv, Columns);
        foreach (var g in grants)
        {
            AppendRow(csv, [g.PartnerName, g.SubjectName, g.SubjectKind == Domain.AccessRequests.SubjectKind.Client ? "API client" : "User",
                g.ResourceName, g.Audience, g.Sensitivity.ToString(), string.Join(' ', g.Scopes), AccessMapGrants.StateInWords(g),
                Iso(g.NotBefore), Iso(g.NotAfter), g.GrantId.ToString()]);
        }

        return csv.ToString();
    }

    /// <summary>
    /// One CSV field: quoted when it holds a comma, quote, line break or edge space, quotes doubled. A field a spreadsheet
    /// would run as a formula (=, +, -, @, tab, CR at the start: names partners and clients choose) gets a leading
    /// apostrophe, so opening the export never executes something a partner typed.
    /// </summary>
    public static string Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        var needsQuotes = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '));
        return needsQuotes ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static Guid? ParseId(string? text, string parameter, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (Guid.TryParse(text, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        errors[parameter] = [$"{parameter} must be an id (a GUID)."];
        return null;
    }

    private static void AppendRow(StringBuilder csv, IEnumerable<string> fields) => csv.Append(string.Join(',', fields.Select(Field))).Append("\r\n");

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
