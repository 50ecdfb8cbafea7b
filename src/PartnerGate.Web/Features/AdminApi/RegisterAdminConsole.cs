using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>
/// PartnerGate registers its own admin console at start-up: a public client (no secret to leak from a browser page or
/// a command-line tool) allowed the authorization code flow with PKCE S256 and nothing else — no refresh tokens, no
/// client credentials. Idempotent: run on every start and on every node, it changes (and audits) only what differs.
/// </summary>
/// <param name="RedirectUris">The reference page on the portal's own origins and the RFC 8252 loopback URIs for tools.</param>
[RequirePolicy(Policies.System)]
public sealed record RegisterAdminConsoleCommand(IReadOnlyList<string> RedirectUris) : ICommand<Result>;

public sealed class RegisterAdminConsoleHandler(IUnitOfWork unitOfWork) : ICommandHandler<RegisterAdminConsoleCommand, Result>
{
    public static IReadOnlyList<string> Permissions { get; } =
    [
        OpenIddict.Abstractions.OpenIddictConstants.Permissions.Endpoints.Authorization,
        OpenIddict.Abstractions.OpenIddictConstants.Permissions.Endpoints.Token,
        OpenIddict.Abstractions.OpenIddictConstants.Permissions.GrantTypes.AuthorizationCode,
        OpenIddict.Abstractions.OpenIddictConstants.Permissions.ResponseTypes.Code,
    ];

    public async ValueTask<Result> Handle(RegisterAdminConsoleCommand command, CancellationToken cancellationToken)
    {
        var applications = unitOfWork.Db.Set<OpenIddictEntityFrameworkCoreApplication>();
        var application = await applications.SingleOrDefaultAsync(a => a.ClientId == AdminApiTokens.ConsoleClientId, cancellationToken);
        var created = application is null;
        application ??= new OpenIddictEntityFrameworkCoreApplication { Id = Guid.NewGuid().ToString(), ClientId = AdminApiTokens.ConsoleClientId };

        var wanted = new
        {
            DisplayName = "PartnerGate admin console",
            Permissions = JsonSerializer.Serialize(Permissions),
            RedirectUris = JsonSerializer.Serialize(command.RedirectUris),
            Requirements = JsonSerializer.Serialize(new[] { Requirements.Features.ProofKeyForCodeExchange }),
        };
        if (!created && application.ClientType == ClientTypes.Public && application.ClientSecret is null && application.JsonWebKeySet is null
            && application.DisplayName == wanted.DisplayName && application.Permissions == wanted.Permissions
            && application.RedirectUris == wanted.RedirectUris && application.Requirements == wanted.Requirements)
        {
            return Result.Success();
        }

        application.ClientType = ClientTypes.Public;
        application.ApplicationType = ApplicationTypes.Native;
        application.ConsentType = ConsentTypes.Implicit;
        application.ClientSecret = null;
        application.JsonWebKeySet = null;
        application.DisplayName = wanted.DisplayName;
        application.Permissions = wanted.Permissions;
        application.RedirectUris = wanted.RedirectUris;
        application.PostLogoutRedirectUris = null;
        application.Requirements = wanted.Requirements;
        application.ConcurrencyToken = Guid.NewGuid().ToString();
        if (created)
        {
            applications.Add(application);
        }

        unitOfWork.Audit(created ? "admin_api.console_registered" : "admin_api.console_updated", "ApiClient", AdminApiTokens.ConsoleClientId, null, new
        {
            client = AdminApiTokens.ConsoleClientId,
            redirectUris = command.RedirectUris,
            grantTypes = new[] { GrantTypes.AuthorizationCode },
            pkce = CodeChallengeMethods.Sha256,
        });
        return Result.Success();
    }
}

/// <summary>Runs <see cref="RegisterAdminConsoleCommand"/> once the database is migrated (hosted services start in order).</summary>
internal sealed class AdminConsoleRegistration(IServiceProvider services, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(SystemPrincipal.Create());
        var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RegisterAdminConsoleCommand(RedirectUris(configuration)), cancellationToken);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"The admin console could not be registered: {result.Error!.Message}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// <c>AdminApi:ConsoleOrigins</c> (default the development portal, <c>http://localhost:5080</c> and
    /// <c>http://127.0.0.1:5080</c>) plus the configured issuer's origin, each with <see cref="AdminApiEndpoints.ReferencePath"/>;
    /// and the loopback URIs a command-line tool listens on (any port, RFC 8252).
    /// </summary>
    public static IReadOnlyList<string> RedirectUris(IConfiguration configuration)
    {
        var origins = configuration.GetSection("AdminApi:ConsoleOrigins").Get<string[]>() is { Length: > 0 } configured
            ? configured
            : ["http://localhost:5080", "http://127.0.0.1:5080"];
        var issuer = configuration[$"{TokenServiceOptions.Section}:Issuer"];
        var all = origins.Concat(Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri) ? [issuerUri.GetLeftPart(UriPartial.Authority)] : [])
            .Select(o => o.TrimEnd('/') + AdminApiEndpoints.ReferencePath + "/")
            .Concat([AdminApiEndpoints.LoopbackRedirectUri, AdminApiEndpoints.LoopbackRedirectUriIpv6]);
        return [.. all.Distinct(StringComparer.Ordinal)];
    }
}
