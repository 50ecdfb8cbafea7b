using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Features.Partners;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.ComponentTests.Features.Partners;

public sealed class IdentityProviderFormTests : MudComponentTest
{
    private static readonly IdentityProviderSettings Saved = new("BoltNut Entra ID", "https://login.boltnut.example/tenant/v2.0", "partnergate",
        ["openid", "profile", "email"], "email", "name", "groups", "partnergate-admins", MfaRequired: true, ["urn:boltnut:mfa"]);

    private static IElement Input(IRenderedComponent<IdentityProviderForm> form, string testId) => form.Find($"input[data-testid={testId}]");

    [Fact]
    public async Task EmptyNewForm_ShowsAMessageUnderEachRequiredField_AndGivesNoSettings()
    {
        var form = Render<IdentityProviderForm>();

        var input = await form.InvokeAsync(() => form.Instance.ValidateAsync());

        Assert.Null(input);
        form.WaitForAssertion(() =>
        {
            Assert.Contains("Give the provider a name of at most 100 characters", form.Markup, StringComparison.Ordinal);
            Assert.Contains("The issuer must be an absolute https URL", form.Markup, StringComparison.Ordinal);
            Assert.Contains("Enter the client id PartnerGate was registered with", form.Markup, StringComparison.Ordinal);
            Assert.Contains(IdentityProviderFields.SecretRequiredMessage, form.Markup, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task HttpIssuerOnAnotherHost_AndRoleClaimWithoutAdminValue_AreNamedUnderTheirFields()
    {
        var form = Render<IdentityProviderForm>();

        await Input(form, "idp-authority").InputAsync(new() { Value = "http://login.partner.example/tenant" });
        await Input(form, "idp-role-claim").InputAsync(new() { Value = "groups" });
        var input = await form.InvokeAsync(() => form.Instance.ValidateAsync());

        Assert.Null(input);
        form.WaitForAssertion(() =>
        {
            Assert.Contains("The issuer must be an absolute https URL", form.Find("input[data-testid=idp-authority]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
            Assert.Contains("Name both the role claim and the value that makes a partner admin", form.Markup, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task EditForm_PrefillsEverythingButTheSecret_WhichIsWriteOnly_AndEmptyKeepsIt()
    {
        var form = Render<IdentityProviderForm>(p => p.Add(f => f.Initial, Saved).Add(f => f.IsEdit, true));

        var secret = Input(form, "idp-client-secret");
        Assert.Equal("password", secret.GetAttribute("type"));
        Assert.Equal("new-password", secret.GetAttribute("autocomplete"));
        Assert.True(string.IsNullOrEmpty(secret.GetAttribute("value")));
        Assert.Contains("Leave empty to keep the current secret", form.Markup, StringComparison.Ordinal);
        Assert.Equal("https://login.boltnut.example/tenant/v2.0", Input(form, "idp-authority").GetAttribute("value"));
        Assert.Equal("openid profile email", Input(form, "idp-scopes").GetAttribute("value"));

        var input = await form.InvokeAsync(() => form.Instance.ValidateAsync());

        Assert.NotNull(input);
        Assert.Null(input.Value.ClientSecret);
        Assert.Equal(Saved with { }, input.Value.Settings with { Scopes = Saved.Scopes, AcceptedAcrValues = Saved.AcceptedAcrValues });
        Assert.Equal(Saved.Scopes, input.Value.Settings.Scopes);
        Assert.Equal(Saved.AcceptedAcrValues, input.Value.Settings.AcceptedAcrValues);
    }

    [Fact]
    public void ServerErrors_ShowUnderTheirField()
    {
        var form = Render<IdentityProviderForm>(p => p.Add(f => f.ServerErrors, new Dictionary<string, string[]>
        {
            ["ClientSecret"] = ["The client secret can be at most 1,000 characters."],
            ["Settings.Authority"] = ["Enter the issuer URL to test."],
        }));

        Assert.Contains("The client secret can be at most 1,000 characters.", form.Find("input[data-testid=idp-client-secret]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Enter the issuer URL to test.", form.Find("input[data-testid=idp-authority]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddDialog_ShowsTheRedirectUriToRegister_WithACopyButton_BeforeSaving()
    {
        Services.AddPartnerGateMediator();
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        var partner = new PartnerSummary(Guid.NewGuid(), "BoltNut Supply", PartnerStatus.Active, ["boltnut.example"], [], 2);

        await provider.InvokeAsync(() => dialogs.ShowAsync<IdentityProviderDialog>("", new DialogParameters<IdentityProviderDialog> { { d => d.Partner, partner } }));

        provider.WaitForAssertion(() =>
            Assert.Matches("^http://localhost/signin-partner/[0-9a-f]{32}$", provider.Find("[data-testid=redirect-uri]").TextContent.Trim()));
        Assert.NotNull(provider.Find("button[aria-label='Copy the redirect URI']"));
        Assert.Contains("Add an identity provider for BoltNut Supply", provider.Markup, StringComparison.Ordinal);
        Assert.True(string.IsNullOrEmpty(provider.Find("input[data-testid=idp-client-secret]").GetAttribute("value")));
    }
}
