using Mediator;
using Microsoft.Net.Http.Headers;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Audit;

/// <summary>
/// <c>GET /audit/export?format=jsonl|csv&amp;…filters</c>: the viewer's download, cookie-authenticated. Same
/// filters and scope as the page; the export is audited first, then streamed as it is read.
/// </summary>
public static class AuditExportEndpoint
{
    public const string Path = "/audit/export";
    public const string FormatName = "format";

    public static IEndpointRouteBuilder MapAuditExport(this IEndpointRouteBuilder endpoints)
    {
        // Signed in is checked here (a browser without a session is sent to sign in and back); who may export is
        // checked by RecordAuditExportCommand's policy, which answers 403 with problem details.
        endpoints.MapGet(Path, ExportAsync).RequireAuthorization(Policies.SignedIn).ExcludeFromDescription();
        return endpoints;
    }

    private static Task<IResult> ExportAsync(HttpContext http, IMediator mediator, AuditExport export, TimeProvider clock, CancellationToken cancellationToken) =>
        StreamAsync(http, mediator, export, clock, Problem, cancellationToken);

    /// <summary>
    /// Parses the query, audits the export, then streams it. Shared by the portal's download and the admin API's route,
    /// which differ only in who the caller is (cookie or bearer) and how a refusal is worded.
    /// </summary>
    public static async Task<IResult> StreamAsync(
        HttpContext http, IMediator mediator, AuditExport export, TimeProvider clock, Func<Error, IResult> problem, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        if (query[FormatName].Count > 1 || !AuditExport.TryParseFormat(query[FormatName], out var format))
        {
            return problem(Error.Validation("invalid_format", "'format' must be jsonl or csv."));
        }

        var parsed = AuditEventFilter.Parse(name => query[name]);
        if (!parsed.IsSuccess)
        {
            return problem(parsed.Error!);
        }

        var recorded = await mediator.Send(new RecordAuditExportCommand(parsed.Value, format), cancellationToken);
        if (!recorded.IsSuccess)
        {
            return problem(recorded.Error!);
        }

        var response = http.Response;
        response.ContentType = AuditExport.MediaType(format) + "; charset=utf-8";
        response.Headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("attachment")
        {
            FileNameStar = AuditExport.FileName(format, clock.GetUtcNow()),
        }.ToString();
        response.Headers.CacheControl = "no-store";
        // Kestrel sends the body chunked as it is written; nothing is buffered whole.
        await export.WriteAsync(parsed.Value, recorded.Value.PartnerId, format, response.Body, cancellationToken);
        return Results.Empty;
    }

    public static IResult Problem(Error error) => Results.Problem(
        statusCode: error.Kind switch
        {
            ErrorKind.Validation => StatusCodes.Status400BadRequest,
            ErrorKind.Forbidden or ErrorKind.PolicyRefused => StatusCodes.Status403Forbidden,
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        },
        title: error.Kind == ErrorKind.Validation ? "The filter is not valid." : "The export was refused.",
        detail: error.Message,
        extensions: new Dictionary<string, object?> { ["code"] = error.Code });
}
