using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Data;

public sealed class DatabaseErrorsTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task DuplicateClientId_IsRecognisedAsAUniqueViolation(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var clientId = "dup-" + Guid.NewGuid().ToString("N")[..12];
        await using (var first = app.CreateDbContext())
        {
            first.ApiClients.Add(ApiClient.RegisterResourceServer(null, clientId, "First", DateTimeOffset.UtcNow).Value);
            await first.SaveChangesAsync();
        }

        await using var second = app.CreateDbContext();
        second.ApiClients.Add(ApiClient.RegisterResourceServer(null, clientId, "Second", DateTimeOffset.UtcNow).Value);
        var exception = await Assert.ThrowsAnyAsync<DbUpdateException>(() => second.SaveChangesAsync());

        Assert.True(DatabaseErrors.IsUniqueViolation(exception), exception.InnerException?.Message);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ForeignKeyViolation_IsNotAUniqueViolation(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        await using var db = app.CreateDbContext();
        db.GrantAuthorizations.Add(new GrantAuthorization { GrantId = Guid.NewGuid(), AuthorizationId = Guid.NewGuid().ToString() });

        var exception = await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.False(DatabaseErrors.IsUniqueViolation(exception));
    }
}
