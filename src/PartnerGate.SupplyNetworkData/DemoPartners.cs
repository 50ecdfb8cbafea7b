namespace PartnerGate.SupplyNetworkData;

public sealed record CatalogPart(string PartNumber, string Description, string Unit, decimal UnitPrice);

/// <summary>A demo partner as the manufacturer's systems know it: what it supplies and where it is used.</summary>
public sealed record DemoPartner(Guid Id, string Name, string Code, IReadOnlyList<CatalogPart> Parts, IReadOnlyList<string> Lines);

/// <summary>
/// The portal's three demo partners. Their ids are fixed in the portal's demo seed (DemoDataSeeder); they are
/// repeated here because this API knows the portal only through its tokens, never through its code.
/// </summary>
public static class DemoPartners
{
    public static readonly Guid BoltNutId = new("b0170000-0000-4000-8000-000000000001");
    public static readonly Guid FastFreightId = new("fa570000-0000-4000-8000-000000000002");
    public static readonly Guid SensorTechId = new("5e450000-0000-4000-8000-000000000003");

    public static readonly IReadOnlyList<DemoPartner> All =
    [
        new(BoltNutId, "BoltNut Supply", "BN",
            [
                new("BN-M8-25-88", "Hex bolt M8x25, grade 8.8, zinc flake", "pc", 0.084m),
                new("BN-M10-40-109", "Flange bolt M10x40, grade 10.9", "pc", 0.196m),
                new("BN-NUT-M8-LK", "Prevailing-torque lock nut M8", "pc", 0.052m),
                new("BN-WSH-10-HD", "Hardened washer 10.5 mm", "pc", 0.019m),
                new("BN-STUD-M12-60", "Wheel stud M12x1.5x60", "pc", 0.412m),
            ],
            ["Body shop line 1", "Final assembly line 2"]),
        new(FastFreightId, "FastFreight Logistics", "FF",
            [
                new("FF-KLT-6428", "Returnable small load carrier 600x400x280", "pc", 11.40m),
                new("FF-PAL-EUR", "EUR pallet exchange", "pc", 9.75m),
                new("FF-RACK-DOOR", "Door-module transport rack", "pc", 318.00m),
                new("FF-LANE-HUB", "Milk-run lane, hub to plant (per trip)", "trip", 264.50m),
            ],
            ["Inbound dock", "Line-side supermarket"]),
        new(SensorTechId, "SensorTech Services", "ST",
            [
                new("ST-VIB-200", "Triaxial vibration sensor", "pc", 184.00m),
                new("ST-TMP-PT100", "PT100 temperature probe", "pc", 36.20m),
                new("ST-GW-EDGE", "Edge gateway, 8 channels", "pc", 1140.00m),
                new("ST-SVC-CAL", "On-site calibration visit", "visit", 690.00m),
            ],
            ["Paint shop line 1", "Press line 3"]),
    ];

    public static DemoPartner? Find(Guid partnerId) => All.FirstOrDefault(p => p.Id == partnerId);
}
