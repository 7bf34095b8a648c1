using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FastScore.Streams.Benchmarks.Schemas;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Benchmarks;

/// <summary>
/// A cross-check for BenchmarkDotNet on a busy machine: runs the framing and schema benchmarks' methods in
/// interleaved rounds and reports each one's fastest round (the round least disturbed by other processes), so
/// the ratios stay meaningful when the machine is shared. Run: <c>dotnet run -c Release --project
/// benchmarks/FastScore.Streams.Benchmarks -- probe</c>.
/// </summary>
public static class InterleavedProbe
{
    private const int Rounds = 600;

    public static void Run()
    {
        var framing1 = new Framing.DelimitedFramingBenchmark { Segments = 1 };
        framing1.Setup();
        var framing4 = new Framing.DelimitedFramingBenchmark { Segments = 4 };
        framing4.Setup();
        var schema = new JsonSchemaCheckBenchmark();
        schema.Setup();

        var methods = new (string Name, Func<double> Run, int Ops, int Repeat)[]
        {
            ("Framing, 1 segment: IndexOfLoop", () => framing1.IndexOfLoop(), 10_000, 1),
            ("Framing, 1 segment: DelimitedFramer", () => framing1.DelimitedFramer(), 10_000, 1),
            ("Framing, 4 segments: IndexOfLoop", () => framing4.IndexOfLoop(), 10_000, 1),
            ("Framing, 4 segments: DelimitedFramer", () => framing4.DelimitedFramer(), 10_000, 1),
            ("Iris: Deserialize", () => schema.Deserialize(), 25, 40),
            ("Iris: EncodingDecode", () => schema.EncodingDecode(), 25, 40),
            ("Iris: CheckThenDecode", () => schema.CheckThenDecode(), 25, 40),
            ("Iris: CheckOnly", () => schema.CheckOnly(), 25, 40),
        };

        var best = new double[methods.Length];
        Array.Fill(best, double.MaxValue);
        double sink = 0;
        for (int round = 0; round < Rounds; round++)
        {
            for (int m = 0; m < methods.Length; m++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int r = 0; r < methods[m].Repeat; r++)
                {
                    sink += methods[m].Run();
                }

                double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / (methods[m].Repeat * methods[m].Ops);
                if (round >= Rounds / 10)
                {
                    best[m] = Math.Min(best[m], ns);
                }
            }
        }

        Console.WriteLine($"Fastest of {Rounds - (Rounds / 10)} interleaved rounds, ns per operation (checksum {sink.ToString(CultureInfo.InvariantCulture)[..1]}):");
        for (int m = 0; m < methods.Length; m++)
        {
            Console.WriteLine($"  {methods[m].Name,-40} {best[m],8:F2}");
        }

        Console.WriteLine($"  framer speed vs IndexOf, 1 segment:  {best[0] / best[1]:F2}x");
        Console.WriteLine($"  framer speed vs IndexOf, 4 segments: {best[2] / best[3]:F2}x");
        Console.WriteLine($"  schema check cost vs Deserialize:    {best[7] / best[4]:P0} (check + decode vs Deserialize: {best[6] / best[4]:F2}x)");
    }
}
