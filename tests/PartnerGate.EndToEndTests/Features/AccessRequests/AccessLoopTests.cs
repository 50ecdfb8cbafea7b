using Microsoft.Playwright;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.AccessRequests;

/// <summary>The whole just-in-time loop in Chromium with the demo accounts, each in its own browser context.</summary>
public sealed class AccessLoopTests(PortalFixture portal)
{
    private static string Shot(string name) => Path.Combine(PortalFixture.ScreenshotDirectory, name);

    [Fact]
    public async Task Bob_RequestsLineTelemetry_TwoApproversApprove_ApproverRevokes_AllSeenLive()
    {
        // The approver's inbox is open before bob asks: his request must appear there without a reload.
        var (approverPage, _) = await portal.SignedInAsync("approver@acme.example");
        var inbox = new ApprovalInboxPage(approverPage);
        await inbox.OpenAsync();
        await Expect(inbox.Row("Bob Nut", "Line telemetry")).ToHaveCountAsync(0);

        // Line telemetry requires a multi-factor sign-in, which partner users get from their own IdP: bob's session
        // carries that proof here, because this test is about the loop after it.
        var (bobPage, bobHome) = await portal.SignedInWithMultiFactorSessionAsync("bob@boltnut.example");
        await bobHome.NavigationLink("Resource catalogue").ClickAsync();
        await bobPage.GetByRole(AriaRole.Button, new() { Name = "Request access to Line telemetry" }).ClickAsync();
        var requestDialog = bobPage.GetByRole(AriaRole.Dialog);
        await requestDialog.GetByLabel("Justification").FillAsync("Commissioning the new spindle sensors on line 3 this afternoon.");
        await bobPage.ScreenshotAsync(new() { Path = Shot("loop-1-request-dialog.png") });
        await requestDialog.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();
        await Expect(bobPage).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/requests$"));
        await Expect(bobPage.GetByTestId("request-status").First).ToHaveTextAsync("Pending");

        await Expect(inbox.Row("Bob Nut", "Line telemetry")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await approverPage.ScreenshotAsync(new() { Path = Shot("loop-2-inbox-live.png"), FullPage = true });
        await inbox.Row("Bob Nut", "Line telemetry").ClickAsync();
        await Expect(inbox.Dialog).ToContainTextAsync("TISAX");
        await Expect(inbox.Dialog).ToContainTextAsync("Commissioning the new spindle sensors");
        await approverPage.ScreenshotAsync(new() { Path = Shot("loop-3-decision-dialog.png") });
        await inbox.Dialog.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await inbox.Dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await Expect(inbox.Row("Bob Nut", "Line telemetry")).ToHaveCountAsync(0);

        // Line telemetry needs a second, different approver.
        var (approver2Page, _) = await portal.SignedInAsync("approver2@acme.example");
        var inbox2 = new ApprovalInboxPage(approver2Page);
        await inbox2.OpenAsync();
        await Expect(inbox2.Row("Bob Nut", "Line telemetry").Locator("td[data-label=Approvals]")).ToHaveTextAsync("1");
        await inbox2.ApproveAsync("Bob Nut", "Line telemetry");

        await bobHome.NavigationLink("My grants").ClickAsync();
        var grantRow = bobPage.GetByRole(AriaRole.Row).Filter(new() { HasText = "Line telemetry" });
        await Expect(grantRow.GetByTestId("grant-status")).ToHaveTextAsync("Active");
        await Expect(grantRow.GetByTestId("countdown")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"^3 h 5\d min \d\d s$"));
        await bobPage.ScreenshotAsync(new() { Path = Shot("loop-4-bob-active-grant.png"), FullPage = true });

        await approverPage.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Grants" }).ClickAsync();
        await approverPage.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bob Nut" }).Filter(new() { HasText = "Line telemetry" })
            .GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        var revokeDialog = approverPage.GetByRole(AriaRole.Dialog);
        await revokeDialog.GetByLabel("Reason (the partner reads it)").FillAsync("Commissioning postponed to next week.");
        await revokeDialog.GetByRole(AriaRole.Button, new() { Name = "Revoke now" }).ClickAsync();
        await revokeDialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        // Bob's page drops the grant from the current ones live; with ended grants shown, it reads Revoked with the reason.
        await Expect(grantRow).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await bobPage.GetByText("Show ended grants").ClickAsync();
        await Expect(grantRow.GetByTestId("grant-status")).ToHaveTextAsync("Revoked");
        await Expect(grantRow).ToContainTextAsync("Commissioning postponed to next week.");
        await bobPage.ScreenshotAsync(new() { Path = Shot("loop-5-bob-revoked.png"), FullPage = true });
    }
}
