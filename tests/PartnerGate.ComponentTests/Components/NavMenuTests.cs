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
    public void Approver_SeesDashboardInboxGrantsPartnersMapReviews_NotPartnerPagesOrAdministration()
    {
        SignInAs(Roles.Approver);

        Assert.Equal(["Home", "Resource catalogue", "Dashboard", "Approval inbox", "Grants", "Partners", "Access map", "Access reviews"], LinkTexts());
    }

    [Fact]
    public void Administrator_AlsoSeesAdministration()
    {
        SignInAs(Roles.Administrator);

        Assert.Equal(
            ["Home", "Resource catalogue", "Dashboard", "Approval inbox", "Grants", "Partners", "Access map", "Access reviews",
                "API clients", "Audit trail", "Outbox", "Kill switches", "Admin API reference"],
            LinkTexts());
    }

    [Fact]
    public void PartnerUser_SeesMyOrganisation_NotPartnersMapOrAudit()
    {
        SignInAs(Roles.PartnerUser, Guid.NewGuid());

        Assert.Equal(["Home", "Resource catalogue", "My requests", "My grants", "My organisation", "API clients"], LinkTexts());
    }

    [Fact]
    public void PartnerAdmin_AlsoSeesTheirPartnersAccessMapAndAuditTrail()
    {
        SignInAs(Roles.PartnerAdmin, Guid.NewGuid());

        Assert.Equal(
            ["Home", "Resource catalogue", "My requests", "My grants", "My organisation", "API clients", "Access map", "Audit trail"],
            LinkTexts());
    }

    [Fact]
    public void ApproverRoleCarriedByPartnerAccount_DoesNotUnlockManufacturerPages()
    {
        SignInAs(Roles.Approver, partnerId: Guid.NewGuid());

        var links = LinkTexts();
        Assert.DoesNotContain("Partners", links);
        Assert.DoesNotContain("Approval inbox", links);
        Assert.DoesNotContain("Dashboard", links);
        Assert.DoesNotContain("Access map", links);
    }
}
