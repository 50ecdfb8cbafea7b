using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PartnerGate.Data;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>Thrown at start-up when the database configuration cannot work; its message says how to fix it.</summary>
public sealed class DatabaseConfigurationException(string message) : Exception(message);

public static class DatabaseProviders
{
    public const string ProviderKey = "Database:Provider";
    public const string ConnectionStringName = "PartnerGate";

    /// <summary>Used when <c>ConnectionStrings:PartnerGate</c> is not set and the provider is SQLite: a file beside the app.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=App_Data/partnergate.db";

    public static string ValidValues => string.Join(", ", Enum.GetNames<DatabaseProvider>());

    /// <summary>Parses <c>Database:Provider</c>; a missing value means SQLite, an unknown one is refused naming the valid values.</summary>
    public static DatabaseProvider Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DatabaseProvider.Sqlite;
        }

        // Enum.TryParse would accept numbers ("1"); only the names are valid configuration.
        foreach (var provider in Enum.GetValues<DatabaseProvider>())
        {
            if (string.Equals(provider.ToString(), value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return provider;
            }
        }

        throw new DatabaseConfigurationException(
            $"Database:Provider '{value}' is not supported. Valid values: {ValidValues}.");
    }

    public static string MigrationsAssembly(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "PartnerGate.Migrations.Sqlite",
        DatabaseProvider.SqlServer => "PartnerGate.Migrations.SqlServer",
        DatabaseProvider.PostgreSql => "PartnerGate.Migrations.PostgreSql",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>
    /// Configures the context for one provider and points it at that provider's migrations assembly.
    /// The runtime and every design-time factory go through here, so the model is built one way.
    /// </summary>
    public static DbContextOptionsBuilder UsePartnerGateProvider(this DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString)
    {
        var migrationsAssembly = MigrationsAssembly(provider);
        _ = provider switch
        {
            // Split queries: aggregates with several owned collections (partners, resources) would otherwise
            // multiply rows in one join.
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o.MigrationsAssembly(migrationsAssembly)
                .UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery)).AddInterceptors(SqliteWriteGate.Instance),
            DatabaseProvider.SqlServer => options.UseSqlServer(connectionString, o => o.MigrationsAssembly(migrationsAssembly)
                .UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery).EnableRetryOnFailure()),
            DatabaseProvider.PostgreSql => options.UseNpgsql(connectionString, o => o.MigrationsAssembly(migrationsAssembly)
                .UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery).EnableRetryOnFailure()),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
        };

        // Migrations are applied explicitly at start-up; a model that is ahead of them is a bug caught by a test, not a warning to ignore.
        options.ConfigureWarnings(w => w.Throw(RelationalEventId.PendingModelChangesWarning));
        return options;
    }

    public static DbContextOptionsBuilder<TContext> UsePartnerGateProvider<TContext>(this DbContextOptionsBuilder<TContext> options, DatabaseProvider provider, string connectionString)
        where TContext : DbContext
    {
        ((DbContextOptionsBuilder)options).UsePartnerGateProvider(provider, connectionString);
        return options;
    }

    /// <summary>
    /// Resolves a relative SQLite file against <paramref name="baseDirectory"/> and creates its folder, so
    /// the database lands beside the app whatever the working directory of <c>dotnet run</c>.
    /// </summary>
    public static string ResolveSqliteConnectionString(string connectionString, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            return connectionString;
        }

        if (!Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(baseDirectory, builder.DataSource));
        }

        var directory = Path.GetDirectoryName(builder.DataSource);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return builder.ToString();
    }
}
