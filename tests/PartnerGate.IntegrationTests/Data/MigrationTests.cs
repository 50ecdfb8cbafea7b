using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PartnerGate.Data;

namespace PartnerGate.IntegrationTests.Data;

/// <summary>
/// Each provider's migrations must match the model: a change to an entity without
/// migrations/add-migration.sh fails here. Works offline (SQL Server has no server on these machines).
/// </summary>
public sealed class MigrationTests
{
    public static TheoryData<string> Providers => ["Sqlite", "SqlServer", "PostgreSql"];

    private static PartnerGateDbContext DesignTimeContext(string provider) => provider switch
    {
        "Sqlite" => new PartnerGate.Migrations.Sqlite.DesignTimeDbContextFactory().CreateDbContext([]),
        "SqlServer" => new PartnerGate.Migrations.SqlServer.DesignTimeDbContextFactory().CreateDbContext([]),
        "PostgreSql" => new PartnerGate.Migrations.PostgreSql.DesignTimeDbContextFactory().CreateDbContext([]),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_Provider_HaveNoPendingModelChanges(string provider)
    {
        using var db = DesignTimeContext(provider);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} migrations lag the model: run migrations/add-migration.sh <Name>.");
    }

    [Fact]
    public void Migrations_AllProviders_HaveTheSameMigrationNames()
    {
        static IEnumerable<string> Names(string provider)
        {
            using var db = DesignTimeContext(provider);
            return db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..]).ToList();
        }

        Assert.Equal(Names("Sqlite"), Names("SqlServer"));
        Assert.Equal(Names("Sqlite"), Names("PostgreSql"));
    }

    [Fact]
    public void SqlServer_IdempotentScript_GuardsEveryMigration()
    {
        using var db = DesignTimeContext("SqlServer");
        var migrator = db.GetInfrastructure().GetRequiredService<IMigrator>();

        var script = migrator.GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        foreach (var migration in db.Database.GetMigrations())
        {
            Assert.Contains($"WHERE [MigrationId] = N'{migration}'", script, StringComparison.Ordinal);
        }

        Assert.Contains("CREATE TABLE [AuditEvents]", script, StringComparison.Ordinal);
    }
}
