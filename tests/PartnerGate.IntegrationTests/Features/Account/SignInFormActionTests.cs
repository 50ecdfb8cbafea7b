using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Features.Account;

/// <summary>The sign-in page widens CSP form-action only for a registered redirect URI of the authorization request it leads back to.</summary>
public sealed class SignInFormActionTests(SqliteApp app)
{
    [Theory]
    [InlineData("http://localhost:7070/callback", "form-action 'self' http://localhost:7070;")]
    [InlineData("http://evil.example/callback", "form-action 'self';")]
    [InlineData("http://localhost:7070/callbacK", "form-action 'self';")]
    public async Task SignInPage_FromAnAuthorizationRequest_AllowsOnlyARegisteredRedirectOrigin(string redirectUri, string expected)
    {
        var returnUrl = $"/connect/authorize?client_id=boltnut-web&redirect_uri={Uri.EscapeDataString(redirectUri)}&response_type=code&scope=openid";

        var response = await app.CreateBrowserClient().GetAsync($"/account/signin?ReturnUrl={Uri.EscapeDataString(returnUrl)}");

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains(expected, csp, StringComparison.Ordinal);
    }
}
