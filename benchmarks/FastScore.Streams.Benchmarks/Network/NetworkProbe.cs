using System.Diagnostics;

namespace FastScore.Streams.Benchmarks.Network;

/// <summary>
/// The network benchmarks' methods in interleaved rounds, reporting each method's fastest round and median and the
/// ratios against both baselines, so the ratios stay meaningful on a shared machine. Run:
/// <c>dotnet benchmarks/FastScore.Streams.Benchmarks/bin/Release/net10.0/FastScore.Streams.Benchmarks.dll probe-net [rounds] [records] [methods]</c>
/// where methods is a comma-separated subset of the method names.
/// </summary>
public static class NetworkProbe
{
    /// <summary>Rounds run first and not counted (JIT, tiered recompilation, page cache): the engine's methods need several before their code is final.</summary>
    public const int WarmUpRounds = 8;

    /// <summary>Runs the probe and prints the table.</summary>
    /// <param name="rounds">The rounds counted.</param>
    /// <param name="records">The records per operation.</param>
    /// <param name="only">A comma-separated subset of the methods, or null for all.</param>
    public static void Run(int rounds, int records, string? only)
    {
        var bench = new NetworkTransportBenchmarks { Records = records };
        bench.Setup();
        try
        {
            var methods = new (string Name, Func<Task> Run)[]
            {
                ("RawSocketRead", () => bench.RawSocketRead()),
                ("HandWrittenSocketJson", () => bench.HandWrittenSocketJson()),
                ("TcpToBytesToDiscard", () => bench.TcpToBytesToDiscard()),
                ("RawHttpClientRead", () => bench.RawHttpClientRead()),
                ("HttpToBytesToDiscard", () => bench.HttpToBytesToDiscard()),
                ("FileToBytesToDiscard", () => bench.FileToBytesToDiscard()),
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
                    methods[m].Run().GetAwaiter().GetResult();
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    process.Refresh();
                    if (round >= WarmUpRounds)
                    {
                        times[m].Add(ms);
                        cpu[m].Add((process.TotalProcessorTime - cpuStart).TotalMilliseconds); // both ends: the server's work too
                    }
                }
            }

            Console.WriteLine($"Network probe, {records:N0} iris records ({bench.DataLength / 1e6:F1} MB), {rounds} interleaved rounds after {WarmUpRounds} warm-up rounds (load average {LoadAverage()}):");
            Console.WriteLine($"  {"Method",-22} {"best ms",9} {"median ms",10} {"best ns/rec",12} {"MB/s (best)",12} {"vs RawSocketRead",17} {"vs HandWrittenSocketJson",25} {"vs RawHttpClientRead",21} {"CPU ms (min)",13}");
            double Best(string name) => methods.Select((x, i) => (x, i)).Where(x => x.x.Name == name).Select(x => times[x.i].Min()).DefaultIfEmpty(double.NaN).First();
            double socket = Best("RawSocketRead"), hand = Best("HandWrittenSocketJson"), http = Best("RawHttpClientRead");
            for (int m = 0; m < methods.Length; m++)
            {
                double best = times[m].Min();
                double median = times[m].Order().ElementAt(times[m].Count / 2);
                Console.WriteLine($"  {methods[m].Name,-22} {best,9:F1} {median,10:F1} {best * 1e6 / records,12:F0} {bench.DataLength / 1e3 / best,12:F0} {socket / best,16:F2}x {hand / best,24:F2}x {http / best,20:F2}x {cpu[m].Min(),13:F1}");
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
