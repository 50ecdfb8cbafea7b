using PartnerGate.Web.Features.Account;

namespace PartnerGate.UnitTests.Web;

public sealed class ReturnUrlTests
{
    [Theory]
    [InlineData("/resources", "/resources")]
    [InlineData("/partners?x=1", "/partners?x=1")]
    [InlineData(null, "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("javascript:alert(1)", "/")]
    public void SafeReturnUrl_OnlyLocalPaths(string? input, string expected) =>
        Assert.Equal(expected, AccountEndpoints.SafeReturnUrl(input));
}
