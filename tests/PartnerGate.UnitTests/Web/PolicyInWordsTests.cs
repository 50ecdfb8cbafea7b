using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.Resources;

namespace PartnerGate.UnitTests.Web;

public sealed class PolicyInWordsTests
{
    [Theory]
    [InlineData("purchase-orders", "Up to 7 days; needs one approver.")]
    [InlineData("demand-forecast", "Up to 8 hours approved automatically; longer, up to 30 days, needs one approver.")]
    [InlineData("line-telemetry", "Up to 8 hours; needs two different approvers.")]
    public void Approval_DemoPolicies_ReadAsPlainWords(string resourceName, string expected)
    {
        var resource = DemoDataSeeder.DemoResources().Single(r => r.Name == resourceName);

        Assert.Equal(expected, PolicyInWords.Approval(resource.Policy));
    }

    [Fact]
    public void Requirements_LineTelemetry_NamesMfaAndTisax()
    {
        var resource = DemoDataSeeder.DemoResources().Single(r => r.Name == "line-telemetry");

        Assert.Equal(["Multi-factor sign-in", "Valid TISAX certification"], PolicyInWords.Requirements(resource.Policy));
    }
}
