using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PartnerGate.Data;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>
/// The real app on a real database: a fresh SQLite file, or a fresh PostgreSQL database on the server
/// that test.sh starts (PARTNERGATE_TEST_POSTGRES). Migrated and demo-seeded exactly as at start-up.
/// </summary>
public class PartnerGateAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string PostgresVariable = "PARTNERGATE_TEST_POSTGRES";

    private readonly string? sqliteDirectory;
    private readonly string? postgresDatabase;
    private readonly Dictionary<string, string?> settings;
    // configureServices runs after the app's own registrations, to replace a service (e.g. a fake TimeProvider).
    private readonly Action<IServiceCollection>? configureServices;

    public PartnerGateAppFactory(
        DatabaseProvider provider,
        string environment = "Development",
        IDictionary<string, string?>? extraSettings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        this.configureServices = configureServices;
        Provider = provider;
        Environment = environment;
        string connectionString;
        if (provider == DatabaseProvider.PostgreSql)
        {
            var server = System.Environment.GetEnvironmentVariable(PostgresVariable)
                ?? throw new InvalidOperationException($"{PostgresVariable} is not set: PostgreSQL tests need the server test.sh starts.");
            postgresDatabase = "partnergate_test_" + Guid.NewGuid().ToString("N")[..12];
            connectionString = new NpgsqlConnectionStringBuilder(server) { Database = postgresDatabase }.ConnectionString;
        }
        else
        {
            sqliteDirectory = Path.Combine(Path.GetTempPath(), "partnergate-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(sqliteDirectory);
            connectionString = $"Data Source={Path.Combine(sqliteDirectory, "partnergate.db")}";
        }

        settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:PartnerGate"] = connectionString,
            ["Demo:Seed"] = "true",
            ["RateLimiting:SignIn:PermitLimit"] = "100000",
            // Shared apps see every class's deliberate bad credentials from one address; the throttle's own tests set a low limit.
            ["RateLimiting:ClientAuthentication:PermitLimit"] = "100000",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public DatabaseProvider Provider { get; }
    public string Environment { get; }

    public static bool PostgresAvailable => !string.IsNullOrWhiteSpace(System.Environment.GetEnvironmentVariable(PostgresVariable));

    public ValueTask InitializeAsync()
    {
        // Starting the server runs the migration hosted service and the demo seeder.
        _ = Server;
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            var server = new NpgsqlConnectionStringBuilder(System.Environment.GetEnvironmentVariable(PostgresVariable)) { Database = "postgres" };
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{postgresDatabase}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        if (sqliteDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(sqliteDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open is left to the temp cleaner; it must not fail the run.
            }
        }

        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }

    public PartnerGateDbContext CreateDbContext() => Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext();

    /// <summary>Sends a message through the real pipeline as the given user (null: anonymous), as a page would.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IMessage message, string? asEmail)
        where TResponse : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        var currentUser = scope.ServiceProvider.GetRequiredService<CurrentUser>();
        if (asEmail is not null)
        {
            currentUser.Set(await PrincipalForAsync(scope.ServiceProvider, asEmail));
        }

        var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(message);
        return (TResponse)result!;
    }

    public async Task<ClaimsPrincipal> PrincipalForAsync(IServiceProvider services, string email)
    {
        var users = services.GetRequiredService<UserManager<PartnerGateUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}.");
        return await services.GetRequiredService<SignInManager<PartnerGateUser>>().CreateUserPrincipalAsync(user);
    }

    /// <summary>Creates a throw-away user so tests that change a user (lockout) never disturb the shared demo accounts.</summary>
    public async Task<string> CreateUserAsync(string role, string? partnerName = null, string? domain = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>();
        await using var db = CreateDbContext();
        Guid? partnerId = partnerName is null ? null : (await db.Partners.SingleAsync(p => p.Name == partnerName)).Id;
        var email = $"user-{Guid.NewGuid():N}@{domain ?? "acme.example"}";
        var user = new PartnerGateUser { UserName = email, Email = email, DisplayName = "Test user", PartnerId = partnerId, LockoutEnabled = true };
        var created = await users.CreateAsync(user, DemoDataSeeder.DemoPassword);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return email;
    }
}

/// <summary>One SQLite app shared by the whole assembly: start-up (migrate + seed) is paid once.</summary>
public sealed class SqliteApp() : PartnerGateAppFactory(DatabaseProvider.Sqlite);

/// <summary>One PostgreSQL app shared by the whole assembly; not started when no server is configured.</summary>
public sealed class PostgreSqlApp : IAsyncLifetime
{
    private PartnerGateAppFactory? app;

    public PartnerGateAppFactory App => app ?? throw new InvalidOperationException("PostgreSQL is not available.");

    public async ValueTask InitializeAsync()
    {
        if (PartnerGateAppFactory.PostgresAvailable)
        {
            app = new PartnerGateAppFactory(DatabaseProvider.PostgreSql);
            await app.InitializeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}

/// <summary>Picks the shared app for a provider theory row; skips PostgreSQL rows only when no server is configured.</summary>
public sealed class Apps(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    public PartnerGateAppFactory For(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            Assert.SkipUnless(PartnerGateAppFactory.PostgresAvailable, $"PostgreSQL not configured ({PartnerGateAppFactory.PostgresVariable}); ./test.sh starts one.");
            return postgreSql.App;
        }

        return sqlite;
    }
}
