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

    [Theory]
    [InlineData(Roles.Approver)]
    [InlineData(Roles.Administrator)]
    public void ManufacturerStaff_SeePartners_NotMyOrganisation(string role)
    {
        SignInAs(role);

        var links = LinkTexts();

        Assert.Equal(["Home", "Resource catalogue", "Partners"], links);
    }

    [Theory]
    [InlineData(Roles.PartnerUser)]
    [InlineData(Roles.PartnerAdmin)]
    public void PartnerMembers_SeeMyOrganisation_NotPartners(string role)
    {
        SignInAs(role, Guid.NewGuid());

        var links = LinkTexts();

        Assert.Equal(["Home", "Resource catalogue", "My organisation"], links);
    }

    [Fact]
    public void ApproverRoleCarriedByPartnerAccount_DoesNotUnlockManufacturerPages()
    {
        SignInAs(Roles.Approver, partnerId: Guid.NewGuid());

        Assert.DoesNotContain("Partners", LinkTexts());
    }
}
