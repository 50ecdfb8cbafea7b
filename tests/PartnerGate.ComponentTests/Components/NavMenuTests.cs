using Bunit;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Components.Layout;

namespace PartnerGate.ComponentTests.Components;

/// <summary>Navigation by role, evaluated with the app's real authorization policies.</summary>
public sealed class NavMenuTests : MudComponentTest
{
    private IReadOnlyList<string> LinkTexts()
    {
        var menu = Render<NavMenu>();
        return menu.FindAll("a").Select(a => a.TextContent.Trim()).ToList();
    }

    [Fact]
    public void Approver_SeesInboxGrantsPartners_NotPartnerPagesOrAdministration()
    {
        SignInAs(Roles.Approver);

        Assert.Equal(["Home", "Resource catalogue", "Approval inbox", "Grants", "Partners"], LinkTexts());
    }

    [Fact]
    public void Administrator_AlsoSeesAdministration()
    {
        SignInAs(Roles.Administrator);

        Assert.Equal(["Home", "Resource catalogue", "Approval inbox", "Grants", "Partners", "API clients", "Audit chain", "Outbox", "Kill switches"], LinkTexts());
    }

    [Theory]
    [InlineData(Roles.PartnerUser)]
    [InlineData(Roles.PartnerAdmin)]
    public void PartnerMembers_SeeMyOrganisation_NotPartners(string role)
    {
        SignInAs(role, Guid.NewGuid());

        var links = LinkTexts();

        Assert.Equal(["Home", "Resource catalogue", "My requests", "My grants", "My organisation", "API clients"], links);
    }

    [Fact]
    public void ApproverRoleCarriedByPartnerAccount_DoesNotUnlockManufacturerPages()
    {
        SignInAs(Roles.Approver, partnerId: Guid.NewGuid());

        var links = LinkTexts();
        Assert.DoesNotContain("Partners", links);
        Assert.DoesNotContain("Approval inbox", links);
    }
}
