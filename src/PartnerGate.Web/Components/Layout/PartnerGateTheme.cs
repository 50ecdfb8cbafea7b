using MudBlazor;

namespace PartnerGate.Web.Components.Layout;

public static class PartnerGateTheme
{
    /// <summary>System fonts only: the portal loads nothing from outside its own origin (and the CSP forbids it).</summary>
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f4e79",
            Secondary = "#c55a11",
            AppbarBackground = "#1f4e79",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
    };
}
