using System.Net;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessMap;

namespace PartnerGate.IntegrationTests.Features.AccessMap;

/// <summary>The CSV export over real HTTP with browser sessions: the same scoping as the page, 401/403 rather than a sign-in page.</summary>
public sealed class AccessMapExportTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Anonymous_Is401_AndPartnerUser_Is403(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var world = await PartnerWorld.CreateAsync(app);
        var partnerUser = await app.CreateUserAsync(Roles.PartnerUser, world.Partner.Name, world.Partner.Domain);
        using var anonymous = app.CreateBrowserClient();
        using var user = await app.SignedInClientAsync(partnerUser);

        using var anonymousResponse = await anonymous.GetAsync(ExportAccessMap.Path);
        using var userResponse = await user.GetAsync(ExportAccessMap.Link(world.Partner.Id, null, null));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, userResponse.StatusCode);
        Assert.DoesNotContain(world.Client.ClientId, await userResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PartnerAdmin_GetsOwnRowsOnly_AndAHostilePartnerFilterGetsTheHeaderAlone(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var own = await PartnerWorld.CreateAsync(app);
        var other = await PartnerWorld.CreateAsync(app);
        using var admin = await app.SignedInClientAsync(own.Partner.AdminEmail);

        var ownRows = await CsvAsync(admin, ExportAccessMap.Path);
        var hostileRows = await CsvAsync(admin, ExportAccessMap.Link(other.Partner.Id, null, null));

        Assert.Equal(ExportAccessMap.Columns, ownRows[0]);
        Assert.Equal(3, ownRows.Count);
        Assert.All(ownRows.Skip(1), row => Assert.Equal(own.Partner.Name, row[0]));
        Assert.Contains(ownRows, row => row[1].Contains(own.Client.ClientId, StringComparison.Ordinal) && row[7] == "Active");
        Assert.Contains(ownRows, row => row[3] == "Purchase orders" && row[7] == "Upcoming");
        Assert.Equal([ExportAccessMap.Columns], hostileRows);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Staff_ExportFiltered_AndBadFilterIs400(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var world = await PartnerWorld.CreateAsync(app);
        using var approver = await app.SignedInClientAsync("approver@acme.example");

        var rows = await CsvAsync(approver, ExportAccessMap.Link(world.Partner.Id, null, Domain.Resources.Sensitivity.Low));
        using var unknownSensitivity = await approver.GetAsync(ExportAccessMap.Path + "?sensitivity=7");
        using var malformedPartner = await approver.GetAsync(ExportAccessMap.Path + "?partner=not-a-guid");

        var row = Assert.Single(rows.Skip(1));
        Assert.Equal((world.Partner.Name, "API client", "Inventory", "Low", "inventory.read"), (row[0], row[2], row[3], row[5], row[6]));
        Assert.Equal(HttpStatusCode.BadRequest, unknownSensitivity.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformedPartner.StatusCode);
    }

    private static async Task<List<string[]>> CsvAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith("\r\n", body, StringComparison.Ordinal);

        // No field of these rows holds a comma, quote or line break, so splitting is a faithful parse here.
        return [.. body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(','))];
    }
}
