using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Json;
using FastScore.Streams.Encodings;
using FastScore.Streams.Schemas;
using FastScore.Streams.Schemas.Json;

namespace FastScore.Streams.Benchmarks.Schemas;

/// <summary>
/// <c>probe-json [rounds] [records]</c>: the per-record JSON steps behind issue 15 point 8 (the schema-less check) and
/// issue 16 point 8 (typed decode and encode of iris records), on one thread, in interleaved rounds (best and median
/// ns per record), next to System.Text.Json doing the same in the same run. Run the probe of two builds one after the
/// other (or alternately) to get before/after figures.
/// </summary>
public static class JsonStepsProbe
{
    /// <summary>Runs the probe and prints the table.</summary>
    /// <param name="rounds">The rounds counted (after as many warm-up rounds).</param>
    /// <param name="records">The records per round.</param>
    public static void Run(int rounds, int records)
    {
        byte[][] lines = IrisData.Records();
        byte[][] data = Enumerable.Range(0, records).Select(i => lines[i % lines.Length]).ToArray();
        IrisRecord[] values = data.Select(r => JsonSerializer.Deserialize<IrisRecord>(r)!).ToArray();
        float[] floats = values.SelectMany(v => new[] { v.SepalLength, v.SepalWidth, v.PetalLength, v.PetalWidth }).ToArray();
        var random = new Random(7);
        float[] scores = Enumerable.Range(0, floats.Length).Select(_ => (float)random.NextDouble()).ToArray();
        var encoding = JsonRecordEncoding.Default;
        var output = new ArrayBufferWriter<byte>(1 << 20);
        var buffer = new byte[64];
        var writer = new Utf8JsonWriter(output);
        SchemaChecker checker = JsonSyntaxChecker.Instance;

        (string Name, int PerRound, Func<int> Step)[] steps =
        [
            ("json check (engine, no schema)", records, () => data.Count(r => checker.TryCheck(r, out _))),
            ("control record? (json encoding)", records, () => data.Count(r => !encoding.TryReadControl(r, out _))),
            ("control key search as before (IndexOf)", records, () => data.Count(r => r.AsSpan().IndexOf("\"$fastscore\""u8) < 0)),
            ("FastJson.AcceptsAnyValue", records, () => data.Count(r => FastJson.AcceptsAnyValue(r))),
            ("json check (Utf8JsonReader only)", records, () => data.Count(r => JsonSyntaxChecker.FullCheck(r, out _))),
            ("decode IrisRecord (json encoding)", records, () => data.Count(r => encoding.Decode<IrisRecord>(r) is not null)),
            ("decode IrisRecord (JsonSerializer)", records, () => data.Count(r => JsonSerializer.Deserialize<IrisRecord>(r) is not null)),
            ("encode IrisRecord (json encoding)", records, () =>
            {
                output.ResetWrittenCount();
                foreach (IrisRecord v in values)
                {
                    encoding.Encode(v, output);
                }

                return records;
            }),
            ("encode IrisRecord (JsonSerializer)", records, () =>
            {
                output.ResetWrittenCount();
                foreach (IrisRecord v in values)
                {
                    writer.Reset(output);
                    JsonSerializer.Serialize(writer, v);
                    writer.Flush();
                }

                return records;
            }),
            ("format iris float (JsonNumbers)", floats.Length, () => floats.Count(f => { int pos = 0; return JsonNumbers.TryFormatSingle(f, buffer, ref pos); })),
            ("format iris float (Utf8Formatter)", floats.Length, () => floats.Count(f => Utf8Formatter.TryFormat(f, buffer, out _))),
            ("format score float (JsonNumbers)", scores.Length, () => scores.Count(f => { int pos = 0; return JsonNumbers.TryFormatSingle(f, buffer, ref pos); })),
            ("format score float (Utf8Formatter)", scores.Length, () => scores.Count(f => Utf8Formatter.TryFormat(f, buffer, out _))),
        ];

        var times = steps.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < 2 * rounds; round++)
        {
            for (int s = 0; s < steps.Length; s++)
            {
                long start = Stopwatch.GetTimestamp();
                int done = steps[s].Step();
                double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / steps[s].PerRound;
                if (done != steps[s].PerRound)
                {
                    throw new InvalidOperationException($"{steps[s].Name}: {done} of {steps[s].PerRound} done.");
                }

                if (round >= rounds)
                {
                    times[s].Add(ns);
                }
            }
        }

        Console.WriteLine($"JSON steps on one thread, {records:N0} iris records, {rounds} rounds after {rounds} warm-up rounds (load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}):");
        for (int s = 0; s < steps.Length; s++)
        {
            Console.WriteLine($"  {steps[s].Name,-38} best {times[s].Min(),7:F1} ns   median {times[s].Order().ElementAt(times[s].Count / 2),7:F1} ns");
        }
    }
}
