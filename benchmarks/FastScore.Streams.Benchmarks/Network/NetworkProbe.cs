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

        PerRecordCosts(records, rounds);
    }

    private delegate bool Check(ReadOnlySpan<byte> record, out FastScore.Streams.Schemas.RecordRejection rejection);

    /// <summary>
    /// What the pipeline's per-record steps cost on one thread over the same records: framing (a vectorized
    /// <c>IndexOf('\n')</c>), the schema-less JSON check as the engine runs it (byte scanner, <c>Utf8JsonReader</c> only for
    /// what it cannot prove), the <c>Utf8JsonReader</c> check alone (what every record paid before), and a
    /// <see cref="System.Text.Json.JsonDocument"/> parse (the hand-written baseline's).
    /// </summary>
    private static void PerRecordCosts(int records, int rounds)
    {
        byte[] data = IrisData.NewlineDelimited(records);
        Type checkerType = typeof(StreamFactory).Assembly.GetType("FastScore.Streams.Schemas.JsonSyntaxChecker")!;
        var checker = (FastScore.Streams.Schemas.SchemaChecker)checkerType.GetField("Instance")!.GetValue(null)!;
        var full = checkerType.GetMethod("FullCheck", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.CreateDelegate<Check>();
        (string Name, Func<ReadOnlyMemory<byte>, bool> Step)[] steps =
        [
            ("framing (IndexOf)", _ => true),
            ("json check (engine)", r => checker.TryCheck(r.Span, out _)),
            ("json check (Utf8JsonReader only)", r => full(r.Span, out _)),
            ("JsonDocument.Parse", r =>
            {
                using var document = System.Text.Json.JsonDocument.Parse(r);
                return true;
            }),
        ];
        Console.WriteLine($"Per-record steps on one thread, {records:N0} records, best of {rounds + WarmUpRounds} passes:");
        foreach ((string name, Func<ReadOnlyMemory<byte>, bool> step) in steps)
        {
            double best = double.MaxValue;
            for (int round = 0; round < rounds + WarmUpRounds; round++)
            {
                long start = Stopwatch.GetTimestamp();
                int at = 0, accepted = 0, newline;
                while ((newline = data.AsSpan(at).IndexOf((byte)'\n')) >= 0)
                {
                    accepted += step(data.AsMemory(at, newline)) ? 1 : 0;
                    at += newline + 1;
                }

                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / records);
                if (accepted != records)
                {
                    throw new InvalidOperationException($"{name}: {accepted} of {records} records accepted.");
                }
            }

            Console.WriteLine($"  {name,-34} {best,8:F1} ns/record (framing included)");
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
