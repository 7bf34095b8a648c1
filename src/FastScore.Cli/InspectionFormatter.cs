using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Engine;

namespace FastScore.Cli;

/// <summary>Renders the engine summary table, from an in-process <see cref="EngineInspection"/> or a server's <c>/1/job/status</c>.</summary>
internal static class InspectionFormatter
{
    /// <param name="inspection">The engine's inspection.</param>
    /// <param name="reportStop">Whether an input stopped before its end makes the summary say STOPPED and why (a batch run); a service (<c>serve</c>) is always ended that way.</param>
    public static string Format(EngineInspection inspection, bool reportStop = false) => Format(
        State(inspection, reportStop),
        inspection.ModelName,
        inspection.Error is { } error ? Safe(error) : null,
        Rows(inspection, reportStop),
        inspection.Rejections.Select(r => SafeText.MaskSecrets($"{r}{Environment.NewLine}    record: {r.Preview}")).ToList(), // reason and preview are escaped
        inspection.ModelErrors.Select(e => Safe(e.ToString())).ToList());

    /// <summary>The summary's first lines only: the state, and why the run failed or stopped (what <c>-q</c> still prints).</summary>
    public static string FormatOutcome(EngineInspection inspection)
    {
        var sb = new StringBuilder();
        Header(sb, State(inspection, reportStop: true), inspection.ModelName, inspection.Error is { } error ? Safe(error) : null, Rows(inspection, reportStop: true));
        return sb.ToString();
    }

    // A batch run whose input was stopped before its end did not read everything: it must not look FINISHED.
    private static string State(EngineInspection inspection, bool reportStop) =>
        reportStop && inspection.State == EngineState.Finished && inspection.Stopped ? "STOPPED" : inspection.State.ToString().ToUpperInvariant();

    private static List<Row> Rows(EngineInspection inspection, bool reportStop) =>
        inspection.Slots.Select(s => new Row(s.Slot, s.IsInput, s.Transport, s.EndOfStream, s.Records, s.Bytes, s.RejectedByEncoding, s.RejectedBySchema, s.Oversized, s.ModelErrors)
        {
            Stopped = s.Stopped,
            ReportStop = reportStop,
            Undelivered = s.Undelivered,
        }).ToList();

    /// <summary>Renders a server's <c>GET /1/job/status</c> answer.</summary>
    public static string FormatStatus(JsonNode status)
    {
        var rows = new List<Row>();
        foreach (JsonNode? slot in status["slots"]?.AsArray() ?? [])
        {
            if (slot?["stream"] is not JsonObject stream)
            {
                continue;
            }

            int number = slot["slot"]!.GetValue<int>();
            rows.Add(new Row(number, number % 2 == 0, Safe(stream["transport"]?.GetValue<string>() ?? stream["name"]?.GetValue<string>() ?? "?"),
                stream["eof"]?.GetValue<bool>() ?? false, Long(stream, "records"), Long(stream, "bytes"), Long(stream, "rejected_by_encoding"),
                Long(stream, "rejected_by_schema"), Long(stream, "oversized"), Long(stream, "model_errors")) { Undelivered = Long(stream, "undelivered") });
        }

        return Format(
            Safe((status["state"]?.GetValue<string>() ?? "unknown").ToUpperInvariant()),
            status["model"]?["name"]?.GetValue<string>() is { } model ? Safe(model) : null,
            status["error"]?.GetValue<string>() is { } error ? Safe(error) : null,
            rows,
            (status["rejections"]?.AsArray() ?? []).Select(n => Safe(n?.GetValue<string>() ?? "")).ToList(),
            (status["model_errors"]?.AsArray() ?? []).Select(n => Safe(n?.GetValue<string>() ?? "")).ToList());
    }

    private static void Header(StringBuilder sb, string state, string? model, string? error, List<Row> slots)
    {
        sb.Append(CultureInfo.InvariantCulture, $"engine: {state}");
        if (model is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"   model: {model}");
        }

        sb.AppendLine();
        if (error is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"error: {error}");
        }

        foreach (Row s in slots.Where(s => s.Stopped && s.ReportStop))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"stopped: input slot {s.Slot} ({s.Transport}) was stopped before its end; the records it read were scored and written, the rest were not read");
        }

        foreach (Row s in slots.Where(s => s.Undelivered > 0))
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"undelivered: {N(s.Undelivered)} records written to slot {s.Slot} ({s.Transport}) did not reach it; they are not counted in its records");
        }
    }

    private static string Format(string state, string? model, string? error, List<Row> slots, List<string> rejections, List<string> modelErrors)
    {
        var sb = new StringBuilder();
        Header(sb, state, model, error, slots);
        string[] header = ["slot", "dir", "stream", "eof", "records", "bytes", "rej.encoding", "rej.schema", "oversized", "model.errors"];
        bool lost = slots.Any(s => s.Undelivered > 0); // the column appears only when an output lost records
        if (lost)
        {
            header = [.. header, "undelivered"];
        }

        List<string[]> rows = [header];
        foreach (Row s in slots)
        {
            string[] row = [
                s.Slot.ToString(CultureInfo.InvariantCulture), s.IsInput ? "in" : "out", s.Transport, s.Stopped ? "stopped" : s.EndOfStream ? "yes" : "no",
                N(s.Records), N(s.Bytes), N(s.RejectedByEncoding), N(s.RejectedBySchema), N(s.Oversized), s.IsInput ? N(s.ModelErrors) : "-",
            ];
            rows.Add(lost ? [.. row, s.IsInput ? "-" : N(s.Undelivered)] : row);
        }

        int[] widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (string[] row in rows)
        {
            sb.AppendLine(string.Join("  ", row.Select((cell, c) => c >= 4 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        }

        if (rejections.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"rejected records (latest {rejections.Count}):");
            foreach (string r in rejections)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {r}");
            }
        }

        if (modelErrors.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"model errors (latest {modelErrors.Count}):");
            foreach (string e in modelErrors)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {e}");
            }
        }

        return sb.ToString();
    }

    /// <summary>What a server, a record or a model puts in a message is shown with secrets masked and control characters escaped.</summary>
    private static string Safe(string text) => SafeText.EscapeControlCharacters(SafeText.MaskSecrets(text));

    private static long Long(JsonObject o, string name) => o[name]?.GetValue<long>() ?? 0;

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private sealed record Row(int Slot, bool IsInput, string Transport, bool EndOfStream, long Records, long Bytes, long RejectedByEncoding, long RejectedBySchema, long Oversized, long ModelErrors)
    {
        public bool Stopped { get; init; }

        public bool ReportStop { get; init; }

        public long Undelivered { get; init; }
    }
}
