using System.Globalization;
using System.Text;
using FastScore.Streams.Engine;

namespace FastScore.Cli;

/// <summary>Renders an <see cref="EngineInspection"/> as the CLI's summary table.</summary>
internal static class InspectionFormatter
{
    public static string Format(EngineInspection inspection)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"engine: {inspection.State.ToString().ToUpperInvariant()}");
        if (inspection.ModelName is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"   model: {inspection.ModelName}");
        }

        sb.AppendLine();
        if (inspection.Error is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"error: {inspection.Error}");
        }

        string[] header = ["slot", "dir", "stream", "eof", "records", "bytes", "rej.encoding", "rej.schema", "oversized", "model.errors"];
        List<string[]> rows = [header];
        foreach (SlotInspection s in inspection.Slots)
        {
            rows.Add([
                s.Slot.ToString(CultureInfo.InvariantCulture), s.IsInput ? "in" : "out", s.Transport, s.EndOfStream ? "yes" : "no",
                N(s.Records), N(s.Bytes), N(s.RejectedByEncoding), N(s.RejectedBySchema), N(s.Oversized), s.IsInput ? N(s.ModelErrors) : "-",
            ]);
        }

        int[] widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (string[] row in rows)
        {
            sb.AppendLine(string.Join("  ", row.Select((cell, c) => c >= 4 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        }

        if (inspection.Rejections.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"rejected records (latest {inspection.Rejections.Count}):");
            foreach (var r in inspection.Rejections)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {r}");
                sb.AppendLine(CultureInfo.InvariantCulture, $"    record: {r.Preview}");
            }
        }

        if (inspection.ModelErrors.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"model errors (latest {inspection.ModelErrors.Count}):");
            foreach (ModelError e in inspection.ModelErrors)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {e}");
            }
        }

        return sb.ToString();
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
