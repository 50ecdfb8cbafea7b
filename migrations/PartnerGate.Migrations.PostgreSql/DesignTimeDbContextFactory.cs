using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using PartnerGate.Data;

namespace PartnerGate.Migrations.PostgreSql;

/// <summary>
/// Used by dotnet-ef only. The connection string is never opened when adding a migration or checking
/// for pending model changes, so it can name a server that does not exist here.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PartnerGateDbContext>
{
    public PartnerGateDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PartnerGateDbContext>()
            .UsePartnerGateProvider(DatabaseProvider.PostgreSql, "Host=localhost;Database=partnergate;Username=partnergate")
            .Options);
}
