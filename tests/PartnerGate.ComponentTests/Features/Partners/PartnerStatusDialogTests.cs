using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Features.Partners;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.ComponentTests.Features.Partners;

/// <summary>Suspending needs a reason before anything is sent; a suspended partner's card says so, with the reason.</summary>
public sealed class PartnerStatusDialogTests : MudComponentTest
{
    public PartnerStatusDialogTests()
    {
        // The dialogs inject IMediator; the real registration resolves without a database, and these tests send nothing.
        Services.AddPartnerGateMediator();
    }

    private async Task<IRenderedComponent<MudDialogProvider>> ShowAsync<TDialog>(DialogParameters<TDialog> parameters)
        where TDialog : Microsoft.AspNetCore.Components.ComponentBase
    {
        var provider = Render<MudDialogProvider>();
        await provider.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<TDialog>("dialog", parameters, new DialogOptions()));
        return provider;
    }

    [Fact]
    public async Task SuspendDialog_WithoutReason_SaysWhyUnderTheField()
    {
        var provider = await ShowAsync(new DialogParameters<PartnerStatusDialog>
        {
            { d => d.PartnerId, Guid.NewGuid() },
            { d => d.PartnerName, "BoltNut Supply" },
            { d => d.Suspend, true },
        });

        await provider.Find("button:contains('Suspend now')").ClickAsync(new());

        provider.WaitForAssertion(() => Assert.Contains(PartnerStatusDialog.ReasonRequired, provider.Markup, StringComparison.Ordinal));
        Assert.Contains("stops working within a second", provider.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenewDialog_WithoutNameOrDate_SaysWhatIsMissing()
    {
        var provider = await ShowAsync(new DialogParameters<RenewCertificationDialog>
        {
            { d => d.PartnerId, Guid.NewGuid() },
            { d => d.PartnerName, "SensorTech Services" },
        });

        await provider.Find("button:contains('Save certification')").ClickAsync(new());

        provider.WaitForAssertion(() =>
        {
            Assert.Contains("Name the certification", provider.Markup, StringComparison.Ordinal);
            Assert.Contains("Say until when the certification is valid.", provider.Markup, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Card_SuspendedPartner_ShowsTheReason()
    {
        var partner = new PartnerSummary(Guid.NewGuid(), "BoltNut Supply", PartnerStatus.Suspended, ["boltnut.example"], [], Users: 2,
            SuspensionReason: "Security incident at the partner.");

        var card = Render<PartnerCard>(p => p.Add(c => c.Partner, partner));

        Assert.Contains("Reason: Security incident at the partner.", card.Find("[data-testid=partner-suspended]").TextContent, StringComparison.Ordinal);
    }
}
