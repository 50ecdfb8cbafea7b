using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PartnerGate.Web.Features.KillSwitches;
using PartnerGate.Web.Infrastructure.Mediator;

namespace PartnerGate.ComponentTests.Features.KillSwitches;

/// <summary>The kill switch panel refuses to go on without a reason or target; its one confirmation states exactly what ends.</summary>
public sealed class KillSwitchComponentTests : MudComponentTest
{
    private static readonly KillSwitchChoice[] Partners = [new("b0170000-0000-4000-8000-000000000001", "BoltNut Supply", null)];

    public KillSwitchComponentTests()
    {
        // The dialog injects IMediator; the real registration resolves without a database, and these tests never confirm.
        Services.AddPartnerGateMediator();
    }

    [Fact]
    public async Task Panel_WithoutReason_SaysWhyUnderTheField_AndDoesNotReview()
    {
        var reviewed = false;
        var panel = Render<KillSwitchPanel>(p => p
            .Add(c => c.Kind, KillSwitchKind.AllPartners)
            .Add(c => c.OnReview, (_) => reviewed = true));

        await panel.Find("button").ClickAsync(new());

        panel.WaitForAssertion(() => Assert.Contains(KillSwitchWords.ReasonRequired, panel.Markup, StringComparison.Ordinal));
        Assert.False(reviewed);
    }

    [Fact]
    public async Task Panel_WithoutTarget_AsksForOne_WithPreselectedTargetAndReason_ReviewsIt()
    {
        (KillSwitchKind Kind, string? Target, string Reason)? reviewed = null;
        var empty = Render<KillSwitchPanel>(p => p.Add(c => c.Kind, KillSwitchKind.Partner).Add(c => c.Choices, Partners));
        await empty.Find("textarea").InputAsync(new() { Value = "Compromised." });
        await empty.Find("button:contains('Review')").ClickAsync(new());
        empty.WaitForAssertion(() => Assert.Contains(KillSwitchWords.TargetRequired, empty.Markup, StringComparison.Ordinal));

        var preselected = Render<KillSwitchPanel>(p => p
            .Add(c => c.Kind, KillSwitchKind.Partner)
            .Add(c => c.Choices, Partners)
            .Add(c => c.InitialTarget, Partners[0].Id)
            .Add(c => c.OnReview, (review) => reviewed = review));
        await preselected.Find("textarea").InputAsync(new() { Value = "  Credentials leaked.  " });
        await preselected.Find("button:contains('Review')").ClickAsync(new());

        Assert.Equal((KillSwitchKind.Partner, Partners[0].Id, "Credentials leaked."), reviewed);
    }

    [Fact]
    public async Task Dialog_StatesTheCountsAndTheTarget_InOneConfirmation()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        var preview = new KillSwitchPreview(KillSwitchKind.Partner, Partners[0].Id, "BoltNut Supply", Grants: 7, PendingRequests: 2, EndsSessions: false);

        await provider.InvokeAsync(() => dialogs.ShowAsync<KillSwitchDialog>("kill", new DialogParameters<KillSwitchDialog>
        {
            { d => d.Preview, preview },
            { d => d.Reason, "Credentials leaked." },
        }, new DialogOptions()));

        provider.WaitForAssertion(() => Assert.Equal("Revoke all 7 grants of BoltNut Supply now? Tokens stop working within a second.",
            provider.Find("[data-testid=kill-switch-confirmation]").TextContent.Trim()));
        Assert.Equal("2 pending requests are denied with your reason.", provider.Find("[data-testid=kill-switch-requests]").TextContent.Trim());
        Assert.Single(provider.FindAll("button:contains('Revoke now')"));
        Assert.Contains("Credentials leaked.", provider.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Words_NameUsersSessions_AllPartners_AndSingleGrants()
    {
        Assert.Equal("Revoke the 1 grant of Bob (bob@boltnut.example) and end their sessions now? Tokens stop working within a second.",
            KillSwitchWords.Confirmation(new KillSwitchPreview(KillSwitchKind.User, "x", "Bob (bob@boltnut.example)", 1, 0, EndsSessions: true)));
        Assert.Equal("Revoke all 1200 grants of all partners now? Tokens stop working within a second.",
            KillSwitchWords.Confirmation(new KillSwitchPreview(KillSwitchKind.AllPartners, "*", "all partners", 1200, 0, EndsSessions: false)));
        Assert.Null(KillSwitchWords.PendingRequests(new KillSwitchPreview(KillSwitchKind.Client, "c", "ERP", 0, 0, false)));
        Assert.Equal("ERP: 1 grant revoked, 0 pending requests denied.", KillSwitchWords.Summary(new KillSwitchOutcome("ERP", 1, 0, false)));
    }
}
