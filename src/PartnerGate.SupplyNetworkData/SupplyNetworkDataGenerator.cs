namespace PartnerGate.SupplyNetworkData;

/// <summary>
/// Generates each demo partner's rows from its catalogue. Every value comes from a random stream seeded by the
/// partner id and the data set's name, and every date is an offset from <c>anchor</c> (the start of a week): two
/// instances started in the same week answer byte for byte the same, and the dates stay current as weeks pass.
/// </summary>
public static class SupplyNetworkDataGenerator
{
    private const int PurchaseOrderCount = 24;
    private const int ForecastWeeks = 12;
    private const int TelemetryHours = 24;
    private const int QualityRecordCount = 18;
    private const string Currency = "EUR";

    private static readonly string[] Plants = ["Plant Wolfsburg-Nord", "Plant Zwickau"];

    public static PartnerDataSet Generate(DemoPartner partner, DateOnly anchor) => new(
        PurchaseOrders(partner, anchor),
        DemandForecasts(partner, anchor),
        Inventory(partner, anchor),
        LineTelemetry(partner, anchor),
        QualityRecords(partner, anchor));

    /// <summary>The Monday (UTC) of the week that holds <paramref name="now"/>.</summary>
    public static DateOnly StartOfWeek(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var daysSinceMonday = ((int)today.DayOfWeek + 6) % 7;
        return today.AddDays(-daysSinceMonday);
    }

    private static List<PurchaseOrder> PurchaseOrders(DemoPartner partner, DateOnly anchor)
    {
        var random = new DeterministicRandom(partner.Id, "purchase-orders");
        var orders = new List<PurchaseOrder>(PurchaseOrderCount);
        for (var number = 1; number <= PurchaseOrderCount; number++)
        {
            // Older orders have moved further along: received ones lie in the past, open ones are due ahead.
            var orderDate = anchor.AddDays(-random.Between(0, 8 * 7));
            var age = anchor.DayNumber - orderDate.DayNumber;
            var status = age switch
            {
                > 35 => PurchaseOrderStatus.Received,
                > 21 => random.Chance(70) ? PurchaseOrderStatus.Shipped : PurchaseOrderStatus.Acknowledged,
                > 10 => random.Chance(60) ? PurchaseOrderStatus.Acknowledged : PurchaseOrderStatus.Open,
                _ => PurchaseOrderStatus.Open,
            };
            var dueDate = orderDate.AddDays(random.Between(3, 8) * 7);

            var lines = new List<PurchaseOrderLine>();
            var lineCount = random.Between(1, Math.Min(4, partner.Parts.Count));
            var parts = partner.Parts.ToList();
            for (var lineNumber = 1; lineNumber <= lineCount; lineNumber++)
            {
                var part = parts[random.Between(0, parts.Count - 1)];
                parts.Remove(part);
                var quantity = part.UnitPrice < 1m ? random.Between(10, 200) * 500 : random.Between(2, 60);
                lines.Add(new PurchaseOrderLine(lineNumber * 10, part.PartNumber, part.Description, quantity, part.Unit, part.UnitPrice,
                    dueDate.AddDays(random.Between(0, 2) * 7)));
            }

            var acknowledgement = status == PurchaseOrderStatus.Open
                ? null
                : new PurchaseOrderAcknowledgement(dueDate.AddDays(random.Between(-2, 3)), null,
                    new DateTimeOffset(orderDate.AddDays(random.Between(1, 4)).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero),
                    partner.Code.ToLowerInvariant() + "-erp");
            orders.Add(new PurchaseOrder(
                $"PO-{partner.Code}-{4500 + number:D5}",
                orderDate,
                dueDate,
                random.Pick(Plants),
                Currency,
                status,
                Math.Round(lines.Sum(l => l.Quantity * l.UnitPrice), 2),
                lines,
                acknowledgement));
        }

        return [.. orders.OrderByDescending(o => o.OrderDate).ThenBy(o => o.Id, StringComparer.Ordinal)];
    }

    private static List<DemandForecast> DemandForecasts(DemoPartner partner, DateOnly anchor)
    {
        var random = new DeterministicRandom(partner.Id, "demand-forecasts");
        return [.. partner.Parts.Select(part =>
        {
            var baseline = part.UnitPrice < 1m ? random.Between(20, 80) * 1000 : random.Between(10, 120);
            var weeks = Enumerable.Range(0, ForecastWeeks)
                .Select(week => new WeeklyDemand(anchor.AddDays(7 * week), Math.Max(0, baseline + (baseline * random.Between(-20, 20) / 100))))
                .ToList();
            return new DemandForecast(part.PartNumber, part.Description, random.Pick(Plants), part.Unit, weeks);
        })];
    }

    private static List<InventoryPosition> Inventory(DemoPartner partner, DateOnly anchor)
    {
        var random = new DeterministicRandom(partner.Id, "inventory");
        var countedAt = new DateTimeOffset(anchor.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero);
        var positions = new List<InventoryPosition>();
        foreach (var part in partner.Parts)
        {
            var scale = part.UnitPrice < 1m ? 1000 : 1;
            foreach (var plant in Plants)
            {
                var onHand = random.Between(5, 90) * scale;
                positions.Add(new InventoryPosition(part.PartNumber, part.Description, InventoryLocationKind.Plant, plant, onHand,
                    Math.Min(onHand, random.Between(0, 40) * scale), random.Between(10, 30) * scale, part.Unit, countedAt));
            }

            // Consignment stock only for some parts: the partner owns it until the plant consumes it.
            if (random.Chance(60))
            {
                var plant = random.Pick(Plants);
                positions.Add(new InventoryPosition(part.PartNumber, part.Description, InventoryLocationKind.Consignment, plant,
                    random.Between(10, 60) * scale, 0, random.Between(5, 15) * scale, part.Unit, countedAt));
            }
        }

        return positions;
    }

    private static List<TelemetryReading> LineTelemetry(DemoPartner partner, DateOnly anchor)
    {
        var random = new DeterministicRandom(partner.Id, "line-telemetry");
        var end = new DateTimeOffset(anchor.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        (string Metric, string Unit, double Minimum, double Maximum)[] metrics =
        [
            ("spindle-temperature", "°C", 38, 71),
            ("vibration-rms", "mm/s", 0.6, 4.8),
            ("cycle-time", "s", 52, 64),
        ];
        var readings = new List<TelemetryReading>();
        foreach (var line in partner.Lines)
        {
            for (var station = 1; station <= 2; station++)
            {
                var machine = $"{line.Split(' ')[0].ToUpperInvariant()}-{partner.Code}-{station:D2}";
                foreach (var (metric, unit, minimum, maximum) in metrics)
                {
                    for (var hour = TelemetryHours; hour >= 1; hour--)
                    {
                        readings.Add(new TelemetryReading(line, machine, metric, random.Between(minimum, maximum, 2), unit, end.AddHours(-hour)));
                    }
                }
            }
        }

        return readings;
    }

    private static List<QualityRecord> QualityRecords(DemoPartner partner, DateOnly anchor)
    {
        var random = new DeterministicRandom(partner.Id, "quality-records");
        string[] findings = ["Dimension out of tolerance", "Surface damage in transit", "Missing batch label", "Coating thickness below specification"];
        var records = new List<QualityRecord>(QualityRecordCount);
        for (var number = 1; number <= QualityRecordCount; number++)
        {
            var part = random.Pick(partner.Parts);
            var recordedOn = anchor.AddDays(-random.Between(1, 12 * 7));
            var sampleSize = random.Between(5, 125);
            if (random.Chance(25))
            {
                var defects = random.Between(1, Math.Max(1, sampleSize / 10));
                records.Add(new QualityRecord($"NC-{partner.Code}-{700 + number:D4}", QualityRecordKind.NonConformance, part.PartNumber, recordedOn,
                    random.Pick(["minor", "major"]), sampleSize, defects, random.Pick(findings)));
            }
            else
            {
                var defects = random.Chance(80) ? 0 : random.Between(1, 2);
                records.Add(new QualityRecord($"QI-{partner.Code}-{300 + number:D4}", QualityRecordKind.Inspection, part.PartNumber, recordedOn,
                    defects == 0 ? "accepted" : "accepted-with-deviation", sampleSize, defects, $"Incoming inspection of {part.Description}"));
            }
        }

        return [.. records.OrderByDescending(r => r.RecordedOn).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }
}
