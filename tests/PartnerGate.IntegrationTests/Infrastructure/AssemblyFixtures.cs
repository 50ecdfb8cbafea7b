using PartnerGate.IntegrationTests.Infrastructure;

[assembly: AssemblyFixture(typeof(SqliteApp))]
[assembly: AssemblyFixture(typeof(PostgreSqlApp))]
