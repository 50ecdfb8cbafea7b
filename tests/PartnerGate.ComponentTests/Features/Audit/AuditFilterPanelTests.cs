using Bunit;
using PartnerGate.Web.Features.Audit;

namespace PartnerGate.ComponentTests.Features.Audit;

public sealed class AuditFilterPanelTests : MudComponentTest
{
    private static readonly Guid BoltNut = Guid.NewGuid();
    private static readonly Guid FastFreight = Guid.NewGuid();

    private IRenderedComponent<AuditFilterPanel> RenderPanel(AuditEventFilter filter, List<AuditEventFilter> raised, bool partnerFixed = false) =>
        Render<AuditFilterPanel>(p => p
            .Add(c => c.Filter, filter)
            .Add(c => c.Partners, [(BoltNut, "BoltNut Supply"), (FastFreight, "FastFreight Logistics")])
            .Add(c => c.PartnerFixed, partnerFixed)
            .Add(c => c.FixedPartnerName, partnerFixed ? "BoltNut Supply" : null)
            .Add(c => c.FilterChanged, raised.Add));

    private static AngleSharp.Dom.IElement Field(IRenderedComponent<AuditFilterPanel> panel, string label) =>
        panel.FindAll(".mud-input-control").Single(c => c.QuerySelector("label")?.TextContent.Trim() == label).QuerySelector("input")!;

    [Fact]
    public void Action_Changed_RaisesTheWholeFilterWithTheNewAction()
    {
        var raised = new List<AuditEventFilter>();
        var start = AuditEventFilter.None with { PartnerId = BoltNut, Actor = "ann" };
        var panel = RenderPanel(start, raised);

        // Typing is debounced: one filter change after the pause, not one per key.
        Field(panel, "Action").Input("grant.*");

        panel.WaitForAssertion(() => Assert.Equal(start with { Action = "grant.*" }, Assert.Single(raised)), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void From_NotADate_ShowsWhyAndRaisesNothing_ThenAValidDateIsRaisedInUtc()
    {
        var raised = new List<AuditEventFilter>();
        var panel = RenderPanel(AuditEventFilter.None, raised);

        Field(panel, "From (UTC)").Change("yesterday");

        panel.WaitForAssertion(() => Assert.Contains("'from' must be a date and time", panel.Markup, StringComparison.Ordinal));
        Assert.Empty(raised);

        Field(panel, "From (UTC)").Change("2026-11-26T08:00Z");

        panel.WaitForAssertion(() => Assert.Equal(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero), Assert.Single(raised).From));
    }

    [Fact]
    public void To_BeforeFrom_IsRefusedWithAMessage()
    {
        var raised = new List<AuditEventFilter>();
        var panel = RenderPanel(AuditEventFilter.None with { From = new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero) }, raised);

        Field(panel, "To (UTC, exclusive)").Change("2026-11-25");

        panel.WaitForAssertion(() => Assert.Contains("'from' must be before 'to'", panel.Markup, StringComparison.Ordinal));
        Assert.Empty(raised);
    }

    [Fact]
    public void PartnerAdmin_SeesTheirPartnerFixed_AndClearingKeepsIt()
    {
        var raised = new List<AuditEventFilter>();
        var panel = RenderPanel(AuditEventFilter.None with { PartnerId = BoltNut, Action = "grant.*" }, raised, partnerFixed: true);

        Assert.Contains("Partner: BoltNut Supply", panel.Find("[data-testid=fixed-partner]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("FastFreight", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll(".mud-select"));

        panel.Find("button:contains('Clear filters')").Click();

        Assert.Equal(AuditEventFilter.None with { PartnerId = BoltNut }, Assert.Single(raised));
    }
}
