using Microsoft.Playwright;
using PartnerGate.EndToEndTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Home;

public sealed class ResourceCatalogueTests(PortalFixture portal)
{
    [Fact]
    public async Task PartnerUser_OpensCatalogue_SeesEachResourceWithItsPolicyInPlainWords()
    {
        var (page, home) = await portal.SignedInAsync("dave@sensortech.example");

        await home.NavigationLink("Resource catalogue").ClickAsync();

        var rows = page.GetByRole(AriaRole.Row);
        await Expect(rows).ToHaveCountAsync(6);
        var telemetry = rows.Filter(new() { HasText = "Line telemetry" });
        await Expect(telemetry).ToContainTextAsync("Up to 8 hours; needs two different approvers.");
        await Expect(telemetry).ToContainTextAsync("Valid TISAX certification");
        await Expect(rows.Filter(new() { HasText = "Demand forecast" })).ToContainTextAsync("approved automatically");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "resource-catalogue.png"), FullPage = true });
    }
}
