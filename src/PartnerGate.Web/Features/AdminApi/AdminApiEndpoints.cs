using System.ComponentModel;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Features.Audit;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;
using Scalar.AspNetCore;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>
/// The REST admin API (<c>/api/admin/**</c>), its OpenAPI document (<c>/openapi/v1.json</c>) and reference page
/// (<c>/scalar</c>). Bearer tokens of the admin console only (see README.md beside this file).
/// </summary>
public static class AdminApiEndpoints
{
    public const string BasePath = "/api/admin";
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/scalar";

    /// <summary>RFC 8252 loopback redirect URIs for command-line tools: registered without a port, any port accepted.</summary>
    public const string LoopbackRedirectUri = "http://127.0.0.1/callback";
    public const string LoopbackRedirectUriIpv6 = "http://[::1]/callback";

    public static IServiceCollection AddPartnerGateAdminApi(this IServiceCollection services)
    {
        services.AddOpenIddict().AddValidation(validation =>
        {
            // This server's own keys and issuer; at+jwt only (OpenIddict validates access tokens alone), exact audience, expiry.
            validation.UseLocalServer();
            validation.UseAspNetCore();
            validation.AddAudiences(AdminApiTokens.Audience);

            // A code redeemed twice makes OpenIddict revoke the tokens it gave: checking the token's entry stops them at once.
            validation.EnableTokenEntryValidation();
            validation.AddEventHandler(AdminTokenUserCheck.Descriptor);
        });
        services.AddAuthorizationBuilder().AddAdminApiPolicies();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AdminApiAuthorizationResultHandler>();
        services.AddHttpContextAccessor();
        services.AddOpenApi("v1", AdminApiOpenApi.Configure);
        services.AddHostedService<AdminConsoleRegistration>();
        return services;
    }

    /// <summary>
    /// The base group every admin API route hangs on: problem answers, bearer-only policies, the caller as
    /// <see cref="ICurrentUser"/>. Routes add their own policy (the audit export: <see cref="AdminApiPolicies.Audit"/>).
    /// </summary>
    public static RouteGroupBuilder Group(IEndpointRouteBuilder endpoints) => endpoints.MapGroup(BasePath)
        .WithMetadata(new AdminApiEndpointMetadata())
        .DisableAntiforgery()
        .AddEndpointFilter(async (context, next) =>
        {
            // Authorization has replaced HttpContext.User with the bearer principal; handlers must see that one, not a cookie's.
            context.HttpContext.RequestServices.GetRequiredService<CurrentUser>().Set(context.HttpContext.User);
            return await next(context);
        })
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden);

    public static WebApplication MapPartnerGateAdminApi(this WebApplication app)
    {
        var read = Group(app).RequireAuthorization(AdminApiPolicies.Read);
        read.MapGet("/grants", ListGrantsAsync).WithName("ListGrants").WithTags("Grants")
            .WithSummary("List grants").WithDescription("Grants of every partner, newest end first, filtered and paged on the server.")
            .Produces<AdminPage<AdminGrant>>().ProducesValidationProblem();
        read.MapGet("/grants/{id}", GetGrantAsync).WithName("GetGrant").WithTags("Grants")
            .WithSummary("Get one grant").Produces<AdminGrant>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        read.MapGet("/access-requests", ListAccessRequestsAsync).WithName("ListAccessRequests").WithTags("Access requests")
            .WithSummary("List access requests").WithDescription("Access requests of every partner, newest first, filtered and paged on the server.")
            .Produces<AdminPage<AdminAccessRequest>>().ProducesValidationProblem();
        read.MapGet("/access-requests/{id}", GetAccessRequestAsync).WithName("GetAccessRequest").WithTags("Access requests")
            .WithSummary("Get one access request with its decisions").Produces<AdminAccessRequestDetails>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        // The audit export needs admin.audit alone (not admin.read): the same parsing, audit event and stream as the
        // portal's download, with the bearer user as the caller.
        Group(app).RequireAuthorization(AdminApiPolicies.Audit)
            .MapGet("/audit-events/export", ExportAuditEventsAsync).WithName("ExportAuditEvents").WithTags("Audit")
            .WithSummary("Export audit events").WithDescription(
                "The audit events matching the filters, oldest first, streamed as JSON Lines or CSV. The export itself is audited (audit.exported).")
            .Produces(StatusCodes.Status200OK, contentType: AuditExport.MediaType(AuditExportFormat.Jsonl))
            .Produces(StatusCodes.Status200OK, contentType: AuditExport.MediaType(AuditExportFormat.Csv))
            .ProducesValidationProblem();

        // Anything else under the API is a problem too, never the portal's HTML page.
        Group(app).Map("/{**rest}", () => TypedResults.Problem("There is no such admin API route.", statusCode: StatusCodes.Status404NotFound,
                title: "Not found.", type: AdminApiProblems.ProblemTypeBase + "route_not_found"))
            .AllowAnonymous().ExcludeFromDescription();

        // The document and the page hold no data (the API behind them needs a token), so anyone may read them: a
        // partner or an auditor can see what exists without being able to call it.
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, (options, http) => AdminApiReferencePage.Configure(options, http)).AllowAnonymous();
        return app;
    }

    public sealed record GrantListParameters(
        [property: FromQuery(Name = "status"), Description("active, scheduled, suspended, expired or revoked")] string? Status,
        [property: FromQuery(Name = "partner"), Description("A partner id (GUID)")] string? Partner,
        [property: FromQuery(Name = "resource"), Description("A resource name (purchase-orders) or audience")] string? Resource,
        [property: FromQuery(Name = "subject"), Description("A user id or a client id, exactly")] string? Subject,
        [property: FromQuery(Name = "page"), Description("1-based page number (default 1)")] string? Page,
        [property: FromQuery(Name = "pageSize"), Description("Items per page, 1–200 (default 50)")] string? PageSize);

    public sealed record AccessRequestListParameters(
        [property: FromQuery(Name = "status"), Description("pending, approved, denied, cancelled or expired")] string? Status,
        [property: FromQuery(Name = "partner"), Description("A partner id (GUID)")] string? Partner,
        [property: FromQuery(Name = "page"), Description("1-based page number (default 1)")] string? Page,
        [property: FromQuery(Name = "pageSize"), Description("Items per page, 1–200 (default 50)")] string? PageSize);

    public sealed record AuditExportParameters(
        [property: FromQuery(Name = "format"), Description("jsonl or csv")] string? Format,
        [property: FromQuery(Name = "from"), Description("Events at or after this instant (ISO 8601)")] string? From,
        [property: FromQuery(Name = "to"), Description("Events before this instant (ISO 8601)")] string? To,
        [property: FromQuery(Name = "actor"), Description("The actor's id or name, exactly")] string? Actor,
        [property: FromQuery(Name = "partner"), Description("A partner id (GUID)")] string? Partner,
        [property: FromQuery(Name = "action"), Description("An action (grant.revoked), or a prefix ending in * (grant.*)")] string? Action,
        [property: FromQuery(Name = "target"), Description("The target's id or type, exactly")] string? Target);

    private static Task<IResult> ExportAuditEventsAsync(
        // Declared so the OpenAPI document lists the filters; the values are read from the query by the shared parser.
        [AsParameters] AuditExportParameters parameters, HttpContext http, IMediator mediator, AuditExport export, TimeProvider clock,
        CancellationToken cancellationToken) =>
        AuditExportEndpoint.StreamAsync(http, mediator, export, clock, AdminApiProblems.From, cancellationToken);

    private static async Task<IResult> ListGrantsAsync([AsParameters] GrantListParameters parameters, IMediator mediator, CancellationToken cancellationToken)
    {
        var reader = new AdminApiQueryReader();
        var query = new ListAdminGrantsQuery(reader.Enum<GrantStatus>("status", parameters.Status), reader.Id("partner", parameters.Partner),
            reader.Text("resource", parameters.Resource), reader.Text("subject", parameters.Subject), reader.Page(parameters.Page), reader.PageSize(parameters.PageSize));
        return reader.Error is { } error ? AdminApiProblems.From(error) : AdminApiProblems.Of(await mediator.Send(query, cancellationToken));
    }

    private static async Task<IResult> GetGrantAsync([Description("The grant's id (GUID)")] string id, IMediator mediator, CancellationToken cancellationToken)
    {
        var reader = new AdminApiQueryReader();
        var grantId = reader.Id("id", id);
        return reader.Error is { } error || grantId is null
            ? AdminApiProblems.From(reader.Error!)
            : AdminApiProblems.Of(await mediator.Send(new GetAdminGrantQuery(grantId.Value), cancellationToken));
    }

    private static async Task<IResult> ListAccessRequestsAsync([AsParameters] AccessRequestListParameters parameters, IMediator mediator, CancellationToken cancellationToken)
    {
        var reader = new AdminApiQueryReader();
        var query = new ListAdminAccessRequestsQuery(reader.Enum<AccessRequestStatus>("status", parameters.Status), reader.Id("partner", parameters.Partner),
            reader.Page(parameters.Page), reader.PageSize(parameters.PageSize));
        return reader.Error is { } error ? AdminApiProblems.From(error) : AdminApiProblems.Of(await mediator.Send(query, cancellationToken));
    }

    private static async Task<IResult> GetAccessRequestAsync([Description("The access request's id (GUID)")] string id, IMediator mediator, CancellationToken cancellationToken)
    {
        var reader = new AdminApiQueryReader();
        var requestId = reader.Id("id", id);
        return reader.Error is { } error || requestId is null
            ? AdminApiProblems.From(reader.Error!)
            : AdminApiProblems.Of(await mediator.Send(new GetAdminAccessRequestQuery(requestId.Value), cancellationToken));
    }
}
