using Microsoft.Playwright;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.ScaleOut;

/// <summary>
/// Its two extra portals start only after the parallel tests are done, so their start-up never shares the cores with
/// the kill-switch tests' sub-second bounds.
/// </summary>
[CollectionDefinition(nameof(TwoNodeCollection), DisableParallelization = true)]
public sealed class TwoNodeCollection;

/// <summary>"Two nodes on loopback behind one address must behave as one: an approval on node A shows in node B's inbox."</summary>
[Collection(nameof(TwoNodeCollection))]
public sealed class TwoNodeTests(ScaleOutPortalFixture nodes) : IClassFixture<ScaleOutPortalFixture>
{
    [Fact]
    public async Task RequestOnNodeA_AppearsLiveInTheInboxOnNodeB_AndTheApprovalOnNodeB_ShowsLiveOnNodeA()
    {
        // The approver works on node B; the inbox is open before bob asks.
        var (approverPage, _) = await nodes.SignedInAsync("approver@acme.example");
        var inbox = new ApprovalInboxPage(approverPage);
        await inbox.OpenAsync();
        await Expect(inbox.Row("Bob Nut", "Inventory")).ToHaveCountAsync(0);

        // Bob works on node A.
        var (bobPage, bobHome) = await nodes.SignedInAsync("bob@boltnut.example", nodes.NodeAAddress);
        await bobHome.NavigationLink("Resource catalogue").ClickAsync();
        await bobPage.GetByRole(AriaRole.Button, new() { Name = "Request access to Inventory" }).ClickAsync();
        var dialog = bobPage.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Justification").FillAsync("Consignment stock count before Friday's delivery.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();
        await Expect(bobPage).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/requests$"));
        var bobsRequest = bobPage.GetByRole(AriaRole.Row).Filter(new() { HasText = "Inventory" }).GetByTestId("request-status");
        await Expect(bobsRequest).ToHaveTextAsync("Pending");

        // Node B's inbox shows node A's request without a reload.
        await Expect(inbox.Row("Bob Nut", "Inventory")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await approverPage.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "two-nodes-inbox-on-node-b.png"), FullPage = true });

        // The approval on node B shows on bob's page on node A without a reload.
        await inbox.ApproveAsync("Bob Nut", "Inventory");
        await Expect(bobsRequest).ToHaveTextAsync("Approved", new() { Timeout = 10_000 });
        await bobPage.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "two-nodes-requests-on-node-a.png"), FullPage = true });
    }
}
