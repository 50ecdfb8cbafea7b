using PartnerGate.Data;

namespace PartnerGate.UnitTests.Data;

public sealed class DatabaseProviderTests
{
    [Theory]
    [InlineData(null, DatabaseProvider.Sqlite)]
    [InlineData("", DatabaseProvider.Sqlite)]
    [InlineData("sqlite", DatabaseProvider.Sqlite)]
    [InlineData("SqlServer", DatabaseProvider.SqlServer)]
    [InlineData(" PostgreSql ", DatabaseProvider.PostgreSql)]
    public void Parse_KnownNames_CaseInsensitive(string? value, DatabaseProvider expected) =>
        Assert.Equal(expected, DatabaseProviders.Parse(value));

    [Theory]
    [InlineData("Oracle")]
    [InlineData("1")]
    [InlineData("Postgres")]
    public void Parse_Unknown_NamesTheValidValues(string value)
    {
        var exception = Assert.Throws<DatabaseConfigurationException>(() => DatabaseProviders.Parse(value));

        Assert.Contains($"'{value}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Valid values: Sqlite, SqlServer, PostgreSql", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveSqlite_RelativePath_LandsUnderBaseDirectory()
    {
        var baseDirectory = Path.Combine(Path.GetTempPath(), "pg-" + Guid.NewGuid().ToString("N"));

        var resolved = DatabaseProviders.ResolveSqliteConnectionString("Data Source=App_Data/x.db", baseDirectory);

        Assert.Contains(Path.Combine(baseDirectory, "App_Data", "x.db"), resolved, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(baseDirectory, "App_Data")));
        Directory.Delete(baseDirectory, recursive: true);
    }
}
