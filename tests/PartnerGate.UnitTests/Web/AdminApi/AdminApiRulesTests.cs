using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Features.AdminApi;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.UnitTests.Web.AdminApi;

public sealed class AdminApiRulesTests
{
    [Theory]
    [InlineData(new[] { Roles.Administrator }, new[] { "admin.audit", "admin.read" })]
    [InlineData(new[] { Roles.Approver }, new[] { "admin.read" })]
    [InlineData(new[] { Roles.Administrator, Roles.Approver }, new[] { "admin.audit", "admin.read" })]
    [InlineData(new[] { Roles.PartnerAdmin }, new string[0])]
    [InlineData(new[] { Roles.PartnerUser }, new string[0])]
    [InlineData(new[] { Roles.Administrator, Roles.PartnerAdmin }, new string[0])]
    [InlineData(new string[0], new string[0])]
    public void ScopesFor_FollowTheRole_AndAnyPartnerRoleGetsNone(string[] roles, string[] scopes) =>
        Assert.Equal(scopes, AdminApiTokens.ScopesFor(roles).Order(StringComparer.Ordinal));

    [Fact]
    public void StampHash_IsStable_DiffersPerStamp_AndDoesNotContainTheStamp()
    {
        Assert.Equal(AdminApiTokens.StampHash("ABC"), AdminApiTokens.StampHash("ABC"));
        Assert.NotEqual(AdminApiTokens.StampHash("ABC"), AdminApiTokens.StampHash("ABD"));
        Assert.DoesNotContain("ABC", AdminApiTokens.StampHash("ABC"), StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", AdminApiTokens.StampHash("ABC"));
    }

    [Theory]
    [InlineData("http://127.0.0.1/callback", "http://127.0.0.1:53682/callback", true)]
    [InlineData("http://127.0.0.1/callback", "http://127.0.0.1/callback", true)]
    [InlineData("http://[::1]/callback", "http://[::1]:8080/callback", true)]
    [InlineData("http://127.0.0.1/callback", "http://127.0.0.1:53682/callback/", false)]
    [InlineData("http://127.0.0.1/callback", "http://127.0.0.1:53682/Callback", false)]
    [InlineData("http://127.0.0.1/callback", "http://[::1]:53682/callback", false)]
    [InlineData("http://127.0.0.1/callback", "http://localhost:53682/callback", false)]
    [InlineData("http://127.0.0.1/callback", "https://127.0.0.1:53682/callback", false)]
    [InlineData("http://127.0.0.1/callback", "http://user@127.0.0.1:53682/callback", false)]
    [InlineData("http://127.0.0.1/callback", "http://127.0.0.1:53682/callback#x", false)]
    public void LoopbackRedirect_MatchesAnyPort_ButNothingElse(string registered, string asked, bool matches)
    {
        var same = LoopbackRedirect.TryParse(registered, out var allowed) && LoopbackRedirect.TryParse(asked, out var given)
            && LoopbackRedirect.SameButPort(allowed, given);
        Assert.Equal(matches, same);
    }

    [Fact]
    public void QueryReader_Defaults_WhenNothingIsGiven()
    {
        var reader = new AdminApiQueryReader();
        Assert.Equal(1, reader.Page(null));
        Assert.Equal(AdminApiQueryReader.DefaultPageSize, reader.PageSize(""));
        Assert.Null(reader.Enum<GrantStatus>("status", null));
        Assert.Null(reader.Id("partner", null));
        Assert.Null(reader.Text("subject", "  "));
        Assert.Null(reader.Error);
    }

    [Fact]
    public void QueryReader_ParsesNames_CaseInsensitive()
    {
        var reader = new AdminApiQueryReader();
        Assert.Equal(GrantStatus.Revoked, reader.Enum<GrantStatus>("status", "REVOKED"));
        Assert.Equal(3, reader.Page("3"));
        Assert.Equal(200, reader.PageSize("200"));
        Assert.Equal(Guid.Parse("b0170000-0000-4000-8000-000000000001"), reader.Id("partner", "b0170000-0000-4000-8000-000000000001"));
        Assert.Null(reader.Error);
    }

    [Theory]
    [InlineData("status", "2")]
    [InlineData("status", "gone")]
    [InlineData("page", "0")]
    [InlineData("page", "-1")]
    [InlineData("page", "1.5")]
    [InlineData("pageSize", "201")]
    [InlineData("pageSize", " 5")]
    [InlineData("partner", "boltnut")]
    public void QueryReader_NamesTheBadField(string field, string value)
    {
        var reader = new AdminApiQueryReader();
        _ = field switch
        {
            "status" => (object?)reader.Enum<GrantStatus>(field, value),
            "page" => reader.Page(value),
            "pageSize" => reader.PageSize(value),
            _ => reader.Id(field, value),
        };
        var error = Assert.IsType<Error>(reader.Error);
        Assert.Equal(ErrorKind.Validation, error.Kind);
        Assert.Equal([field], error.FieldErrors!.Keys);
    }
}
