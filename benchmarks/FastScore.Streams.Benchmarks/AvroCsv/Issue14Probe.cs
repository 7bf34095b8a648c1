using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FastScore.Streams.Benchmarks.AvroBinary;
using FastScore.Streams.Benchmarks.Csv;

namespace FastScore.Streams.Benchmarks.AvroCsv;

/// <summary>
/// Issue 14 point 7, all five goals in one process: each goal's baseline and ours in interleaved rounds, the fastest
/// round and the median of each, and the ratio of the fastest rounds (a shared machine slows single rounds, seldom
/// all of them). Run: <c>probe-14 [rounds] [records]</c> (defaults 7 and 200,000 records for the end-to-end goals), or
/// <c>probe-14 loop METHOD SECONDS [records]</c> to run one method in a loop (for a profiler: <c>perf record</c>).
/// </summary>
public static class Issue14Probe
{
    private sealed record Method(string Goal, string Name, bool Baseline, double PerRun, Action Run, bool Threads = false);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    // CPU time of the calling thread (one-thread methods) or of the whole process (the engine's methods), in ns.
    private static double CpuNs(bool process)
    {
        if (process)
        {
            return Environment.CpuUsage.TotalTime.TotalNanoseconds;
        }

        return ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out TimeSpec t) == 0 ? (t.Seconds * 1e9) + t.Nanoseconds : double.NaN;
    }

    public static void Run(string[] args)
    {
        if (args is ["loop", string name, string seconds, ..])
        {
            Loop(name, double.Parse(seconds, CultureInfo.InvariantCulture), args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200_000);
            return;
        }

        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
        int records = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var cleanups = new List<Action>();
        try
        {
            List<Method> methods = Methods(records, cleanups);
            if (Environment.GetEnvironmentVariable("ISSUE14_GOALS") is { Length: > 0 } only)
            {
                // e.g. ISSUE14_GOALS="csv decode": only the goals whose name holds the text (and their baselines).
                methods = methods.FindAll(m => m.Goal.Contains(only, StringComparison.Ordinal));
            }

            Console.WriteLine(FormattableString.Invariant($"Issue 14 goals: {rounds} interleaved rounds after two warm-up rounds, {records:N0} records end to end; load average at start {LoadAverage()}"));
            var times = methods.ToDictionary(m => m, _ => new List<double>());
            var cpu = methods.ToDictionary(m => m, _ => new List<double>());
            for (int round = -1; round <= rounds; round++)
            {
                if (round == 0)
                {
                    Thread.Sleep(500); // two warm-up rounds, then time for the background compiler to install tier-1 code (slow on a loaded machine)
                }

                foreach (Method m in methods)
                {
                    double cpuStart = CpuNs(m.Threads);
                    long start = Stopwatch.GetTimestamp();
                    m.Run();
                    double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / m.PerRun;
                    double cpuPer = (CpuNs(m.Threads) - cpuStart) / m.PerRun;
                    if (round > 0)
                    {
                        times[m].Add(ns);
                        cpu[m].Add(cpuPer);
                    }
                }
            }

            Console.WriteLine(FormattableString.Invariant($"  {"goal",-20} {"method",-32} {"best ns/rec",11} {"median",9} {"speed-up best",13} {"median",7} {"CPU ns/rec",10} {"CPU ratio",9}"));
            foreach (IGrouping<string, Method> goal in methods.GroupBy(m => m.Goal))
            {
                Method baseline = goal.Single(m => m.Baseline);
                double baseBest = times[baseline].Min(), baseMedian = Median(times[baseline]), baseCpu = cpu[baseline].Min();
                foreach (Method m in goal)
                {
                    double best = times[m].Min(), median = Median(times[m]), c = cpu[m].Min();
                    Console.WriteLine(FormattableString.Invariant($"  {m.Goal,-20} {m.Name,-32} {best,11:F1} {median,9:F1} {baseBest / best,12:F2}x {baseMedian / median,6:F2}x {c,10:F1} {baseCpu / c,8:F2}x"));
                }
            }

            if (methods.Find(m => m.Name == "HandWrittenCsvHelperJsonDurable") is { } durable && methods.Find(m => m.Name == "EngineCsvToJsonPoco") is { } engine)
            {
                // The engine's file output is fsync'd at close (it acknowledges only durable results); the plain loop's is not.
                Console.WriteLine(FormattableString.Invariant(
                    $"  csv->json e2e against the loop with the same durability (fsync at close): best {times[durable].Min() / times[engine].Min():F2}x, median {Median(times[durable]) / Median(times[engine]):F2}x, CPU {cpu[durable].Min() / cpu[engine].Min():F2}x"));
            }

            Console.WriteLine("  (CPU: the thread's CPU time for one-thread methods, the process's for the engine's, all its threads; best round)");

            Console.WriteLine(FormattableString.Invariant($"Load average at end {LoadAverage()}. Goals: avro >= 3x, ocf-read >= 1x, csv-decode >= 1.5x, ocf-e2e >= 3x, csv-json-e2e >= 3x."));
        }
        finally
        {
            cleanups.ForEach(c => c());
        }
    }

    private static void Loop(string name, double seconds, int records)
    {
        var cleanups = new List<Action>();
        try
        {
            Method method = Methods(records, cleanups).Single(m => m.Name == name);
            long start = Stopwatch.GetTimestamp();
            int runs = 0;
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
            {
                method.Run();
                runs++;
            }

            Console.WriteLine(FormattableString.Invariant($"{name}: {runs} runs, {Stopwatch.GetElapsedTime(start).TotalNanoseconds / (runs * method.PerRun):F1} ns/record"));
        }
        finally
        {
            cleanups.ForEach(c => c());
        }
    }

    private static List<Method> Methods(int records, List<Action> cleanups)
    {
        var avro = new AvroDecodeBenchmark();
        avro.Setup();
        var ocf = new OcfReadBenchmark();
        ocf.Setup();
        var iris = new CsvDecodeBenchmark { Rows = "iris" };
        iris.Setup();
        var mixed = new CsvDecodeBenchmark { Rows = "mixed" };
        mixed.Setup();
        var irisFramed = new CsvDecodeBenchmark { Rows = "iris", Fused = false }; // the framer frames every row first (before the fused path)
        irisFramed.Setup();
        var mixedFramed = new CsvDecodeBenchmark { Rows = "mixed", Fused = false };
        mixedFramed.Setup();
        var ocfE2e = new OcfEndToEndBenchmark { Count = records, WarmUps = 1 };
        ocfE2e.Setup();
        cleanups.Add(ocfE2e.Cleanup);
        var csvE2e = new CsvToJsonEndToEndBenchmark { Count = records, WarmUps = 1 };
        csvE2e.Setup();
        cleanups.Add(csvE2e.Cleanup);
        const int Repeat = 50; // the micro-benchmarks run this many times per round
        return
        [
            new("avro-binary decode", "ApacheGenericDatumReader", true, Repeat * AvroDecodeBenchmark.Count, () => Times(Repeat, () => avro.ApacheGenericDatumReader())),
            new("avro-binary decode", "DecodePoco", false, Repeat * AvroDecodeBenchmark.Count, () => Times(Repeat, () => avro.DecodePoco())),
            new("ocf read (deflate)", "DataFileReader", true, 2 * OcfReadBenchmark.Count, () => Times(2, () => ocf.DataFileReader())),
            new("ocf read (deflate)", "OcfFramerToPoco", false, 2 * OcfReadBenchmark.Count, () => Times(2, () => ocf.OcfFramerToPoco())),
            new("csv decode iris", "CsvHelperGetRecords(iris)", true, Repeat * CsvDecodeBenchmark.Count, () => Times(Repeat, () => iris.CsvHelperGetRecords())),
            new("csv decode iris", "FastScoreCsv(iris)", false, Repeat * CsvDecodeBenchmark.Count, () => Times(Repeat, () => iris.FastScoreCsv())),
            new("csv decode mixed", "CsvHelperGetRecords(mixed)", true, Repeat * CsvDecodeBenchmark.Count, () => Times(Repeat, () => mixed.CsvHelperGetRecords())),
            new("csv decode mixed", "FastScoreCsv(mixed)", false, Repeat * CsvDecodeBenchmark.Count, () => Times(Repeat, () => mixed.FastScoreCsv())),
            new("csv decode iris", "FramerFirst(iris)", false, Repeat * CsvDecodeBenchmark.Count, () => Times(Repeat, () => irisFramed.FastScoreCsv())),
            new("csv decode mixed", "FramerFirst(mixed)", false, Repeat * CsvDecodeBenchmark.Count, () => Times(Repeat, () => mixedFramed.FastScoreCsv())),
            new("ocf e2e", "HandWrittenDataFileLoop", true, records, () => ocfE2e.HandWrittenDataFileLoop()),
            new("ocf e2e", "EngineOcfPoco", false, records, () => ocfE2e.EngineOcfPoco().GetAwaiter().GetResult(), true),
            new("ocf e2e", "EngineOcfRawBytes", false, records, () => ocfE2e.EngineOcfRawBytes().GetAwaiter().GetResult(), true),
            new("csv->json e2e", "HandWrittenCsvHelperJson", true, records, () => csvE2e.HandWrittenCsvHelperJson()),
            new("csv->json e2e", "HandWrittenCsvHelperJsonDurable", false, records, () => csvE2e.HandWrittenCsvHelperJsonDurable()),
            new("csv->json e2e", "EngineCsvToJsonPoco", false, records, () => csvE2e.EngineCsvToJsonPoco().GetAwaiter().GetResult(), true),
        ];
    }

    private static void Times(int n, Action action)
    {
        for (int i = 0; i < n; i++)
        {
            action();
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

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
