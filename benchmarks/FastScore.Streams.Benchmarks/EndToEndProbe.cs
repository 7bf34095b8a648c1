using System.Diagnostics;
using FastScore.Streams.Benchmarks.Pipeline;

namespace FastScore.Streams.Benchmarks;

/// <summary>
/// The end-to-end benchmark's methods in interleaved rounds (hand-written baseline, engine typed, engine raw bytes),
/// reporting each method's fastest round and median, so the ratios stay meaningful on a shared machine. Run:
/// <c>dotnet run -c Release --project benchmarks/FastScore.Streams.Benchmarks -- probe-e2e [rounds] [records] [methods]</c>
/// where methods is a comma-separated subset of <c>HandWritten,EngineTypedPoco,EngineRawBytes</c>.
/// </summary>
public static class EndToEndProbe
{
    public const int DefaultRecords = 1_000_000;

    /// <summary>
    /// Full-size rounds run first and not counted: besides the benchmark's short warm-up runs, code paths that only
    /// long runs take (full channels, grown batches) are compiled and then recompiled by tiered compilation, on a
    /// background thread that takes one of the two cores for ~2 s.
    /// </summary>
    public const int WarmUpRounds = 3;

    public static void Run(int rounds, int records, string? only)
    {
        var bench = new EndToEndBenchmark { RecordCount = records };
        bench.Setup();
        try
        {
            var methods = new (string Name, Func<long> Run)[]
            {
                ("HandWritten", bench.HandWritten),
                ("EngineTypedPoco", () => bench.EngineTypedPoco().GetAwaiter().GetResult()),
                ("EngineRawBytes", () => bench.EngineRawBytes().GetAwaiter().GetResult()),
            };
            if (only is not null)
            {
                string[] names = only.Split(',');
                methods = methods.Where(m => names.Contains(m.Name)).ToArray();
            }

            var times = methods.Select(_ => new List<double>()).ToArray();
            var cpu = methods.Select(_ => new List<double>()).ToArray();
            using var process = Process.GetCurrentProcess();
            for (int round = 0; round < rounds + WarmUpRounds; round++)
            {
                for (int m = 0; m < methods.Length; m++)
                {
                    process.Refresh();
                    TimeSpan cpuStart = process.TotalProcessorTime;
                    long start = Stopwatch.GetTimestamp();
                    long n = methods[m].Run();
                    double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / records;
                    process.Refresh();
                    double cpuNs = (process.TotalProcessorTime - cpuStart).TotalNanoseconds / records;
                    if (n != records)
                    {
                        throw new InvalidOperationException($"{methods[m].Name} wrote {n} records, not {records}.");
                    }

                    if (round >= WarmUpRounds)
                    {
                        times[m].Add(ns); // the first rounds warm up (JIT, tiering, page cache)
                        cpu[m].Add(cpuNs);
                    }
                }
            }

            Console.WriteLine($"End to end, {records:N0} iris records, {rounds} interleaved rounds after {WarmUpRounds} warm-up rounds (load average {LoadAverage()}):");
            Console.WriteLine($"  {"Method",-18} {"best ns/rec",12} {"median",10} {"best rec/s",14} {"median rec/s",14} {"best vs HandWritten",20} {"CPU ns/rec (min)",17}");
            double? baseline = methods.Select((m, i) => (m, i)).Where(x => x.m.Name == "HandWritten").Select(x => (double?)times[x.i].Min()).FirstOrDefault();
            for (int m = 0; m < methods.Length; m++)
            {
                double best = times[m].Min();
                double median = times[m].Order().ElementAt(times[m].Count / 2);
                string ratio = baseline is { } b ? $"{b / best,19:F2}x" : "";
                Console.WriteLine($"  {methods[m].Name,-18} {best,12:F1} {median,10:F1} {1e9 / best,14:N0} {1e9 / median,14:N0} {ratio} {cpu[m].Min(),17:F1}");
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
