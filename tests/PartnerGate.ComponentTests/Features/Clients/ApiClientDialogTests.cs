using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.ComponentTests.Features.Clients;

public sealed class ApiClientDialogTests : MudComponentTest
{
    public ApiClientDialogTests()
    {
        // The register dialog injects IMediator; the real registration resolves without a database, and
        // invalid input never reaches a handler (it stops in the form).
        Services.AddPartnerGateMediator();
    }

    private async Task<IRenderedComponent<MudDialogProvider>> ShowAsync<TDialog>(DialogParameters<TDialog>? parameters = null)
        where TDialog : Microsoft.AspNetCore.Components.ComponentBase
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<TDialog>("dialog", parameters ?? [], new DialogOptions()));
        return provider;
    }

    [Fact]
    public async Task RegisterDialog_EmptyForm_ShowsAMessageUnderEachRequiredField()
    {
        var provider = await ShowAsync<RegisterApiClientDialog>();

        await provider.Find("button:contains('Register client')").ClickAsync(new());

        provider.WaitForAssertion(() =>
        {
            Assert.Contains(ClientRules.ClientIdMessage, provider.Markup, StringComparison.Ordinal);
            Assert.Contains("Give the client a name.", provider.Markup, StringComparison.Ordinal);
            Assert.Contains("Paste the client's public key", provider.Markup, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task RegisterDialog_PrivateKeyJwtIsFirstAndChosen_WithTheOpensslHint()
    {
        var provider = await ShowAsync<RegisterApiClientDialog>();

        var methods = provider.FindAll(".mud-radio").Select(r => r.TextContent).Where(t => t.Contains("Private key JWT") || t.Contains("Client secret")).ToList();
        Assert.StartsWith("Private key JWT (recommended)", methods[0].Trim(), StringComparison.Ordinal);
        Assert.Contains("openssl ecparam -name prime256v1 -genkey -noout -out client.key", provider.Find("[data-testid=key-hint]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterDialog_PastedPrivateKeyAndBadClientId_AreNamedUnderTheirFields()
    {
        var provider = await ShowAsync<RegisterApiClientDialog>();
        var inputs = provider.FindAll("input[type=text], textarea");

        await inputs[0].InputAsync(new() { Value = "Bad_ID" });
        await provider.FindAll("textarea").Last().InputAsync(new() { Value = "-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----" });
        await provider.Find("button:contains('Register client')").ClickAsync(new());

        provider.WaitForAssertion(() =>
        {
            Assert.Contains(ClientRules.ClientIdMessage, provider.Markup, StringComparison.Ordinal);
            Assert.Contains("That is a private key. Keep it with the client; paste only its public key.", provider.Markup, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void RegisterForm_ServerErrors_ShowUnderTheirField()
    {
        var form = Render<RegisterApiClientForm>(p => p.Add(f => f.ServerErrors, new Dictionary<string, string[]>
        {
            ["ClientId"] = ["The client id 'boltnut-erp' is already taken. Choose another one."],
        }));

        Assert.Contains("The client id 'boltnut-erp' is already taken.", form.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretDialog_ShowsTheSecretOnce_WithTheWarningAndACopyButton()
    {
        var provider = await ShowAsync(new DialogParameters<ClientSecretDialog>
        {
            { d => d.ClientId, "boltnut-erp" },
            { d => d.Secret, "pgs_Secret123" },
        });

        Assert.Equal("pgs_Secret123", provider.Find("[data-testid=client-secret]").TextContent);
        Assert.Contains("you will not see it again", provider.Find("[data-testid=secret-warning]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(provider.Find("button[aria-label='Copy the secret']"));
    }
}
