using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;

namespace PartnerGate.Web.Infrastructure.Database;

public static class DatabaseRegistration
{
    /// <summary>
    /// Registers the context factory (handlers, which may run in long-lived circuits) and a scoped context
    /// (ASP.NET Core Identity's stores) for the provider named by <c>Database:Provider</c>. An unknown
    /// provider or a missing connection string stops start-up with a message that says what to set.
    /// </summary>
    public static IServiceCollection AddPartnerGateDatabase(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = DatabaseProviders.Parse(configuration[DatabaseProviders.ProviderKey]);
        var connectionString = configuration.GetConnectionString(DatabaseProviders.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = provider == DatabaseProvider.Sqlite
                ? DatabaseProviders.DefaultSqliteConnectionString
                : throw new DatabaseConfigurationException(
                    $"ConnectionStrings:{DatabaseProviders.ConnectionStringName} must be set when Database:Provider is {provider}.");
        }

        if (provider == DatabaseProvider.Sqlite)
        {
            connectionString = DatabaseProviders.ResolveSqliteConnectionString(connectionString, environment.ContentRootPath);
        }

        services.AddSingleton(new DatabaseSettings(provider));
        services.AddDbContextFactory<PartnerGateDbContext>(options => options.UsePartnerGateProvider(provider, connectionString));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContext());
        services.AddSingleton<DatabaseMigrationState>();
        services.AddHostedService<DatabaseMigrationService>();
        return services;
    }
}

public sealed record DatabaseSettings(DatabaseProvider Provider);
