using System.Net;
using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.RevocationBench;

/// <summary>
/// The real portal in-process on a loopback port: a fresh SQLite file, migrated and demo-seeded, Development,
/// sweep off, logging at Warning. Resource servers in other processes reach it over HTTP exactly as they
/// would reach a deployed portal.
/// </summary>
public sealed class BenchPortal : WebApplicationFactory<Program>
{
    private readonly string directory;
    private readonly bool ownsDirectory;
    private readonly IReadOnlyDictionary<string, string?> settings;

    /// <summary>A portal on a fresh database; or, given <paramref name="sameDatabaseAs"/>, another node of that deployment.</summary>
    public BenchPortal(BenchPortal? sameDatabaseAs = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        this.settings = settings ?? new Dictionary<string, string?>();
        ownsDirectory = sameDatabaseAs is null;
        directory = sameDatabaseAs?.directory ?? Path.Combine(Path.GetTempPath(), "partnergate-revocation-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The authority a resource server is configured with: scheme, host and port, no trailing slash.</summary>
    public string Authority => BaseAddress.GetLeftPart(UriPartial.Authority);

    public void Start()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSolutionRelativeContentRoot(Path.Combine("src", "PartnerGate.Web"));
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", nameof(DatabaseProvider.Sqlite));
        builder.UseSetting("ConnectionStrings:PartnerGate", $"Data Source={Path.Combine(directory, "partnergate.db")}");
        builder.UseSetting("Demo:Seed", "true");
        builder.UseSetting("Sweep:Enabled", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.DataProtection", "Error");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public PartnerGateDbContext CreateDbContext() => Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext();

    /// <summary>Sends a command through the real pipeline as a demo user, as the portal's pages do.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IMessage message, string asEmail)
        where TResponse : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(await PrincipalForAsync(scope.ServiceProvider, asEmail));
        return (TResponse)(await scope.ServiceProvider.GetRequiredService<IMediator>().Send(message))!;
    }

    private static async Task<ClaimsPrincipal> PrincipalForAsync(IServiceProvider services, string email)
    {
        var user = await services.GetRequiredService<UserManager<PartnerGateUser>>().FindByEmailAsync(email)
            ?? throw new InvalidOperationException($"No user {email}.");
        return await services.GetRequiredService<SignInManager<PartnerGateUser>>().CreateUserPrincipalAsync(user);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
