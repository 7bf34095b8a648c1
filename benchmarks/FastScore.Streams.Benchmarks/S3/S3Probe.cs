using System.Diagnostics;
using System.Globalization;

namespace FastScore.Streams.Benchmarks.S3;

/// <summary>
/// The S3 benchmark's methods in interleaved rounds, with the CPU time of this process (the client) and of the s3rver
/// process (node) per method, so one can see who burns the CPU. Run:
/// <c>dotnet run -c Release --project benchmarks/FastScore.Streams.Benchmarks -- probe-s3 [rounds] [methods]</c>
/// (methods: a comma-separated subset of the benchmark's method names). Transport knobs for experiments:
/// <c>S3_PROBE_PART_MIB</c>, <c>S3_PROBE_UPLOADS</c> (MaxConcurrentPartUploads); <c>S3_PROBE_RAW_CONCURRENCY</c> for the
/// raw floors; <c>S3_BENCH_DATA_ROOT</c> puts s3rver's files elsewhere (e.g. /dev/shm).
/// </summary>
public static class S3Probe
{
    public static void Run(int rounds, string? only)
    {
        var bench = new S3ScoringBenchmarks { SizeMiB = 100 };
        if (Env("S3_PROBE_RAW_CONCURRENCY") is { } raw)
        {
            bench.RawConcurrency = raw;
        }

        var options = new Streams.S3.S3TransportOptions();
        if (Env("S3_PROBE_PART_MIB") is { } part)
        {
            options.PartSize = part * 1024 * 1024;
        }

        if (Env("S3_PROBE_UPLOADS") is { } uploads)
        {
            options.MaxConcurrentPartUploads = uploads;
        }

        bench.TransportOptions = options;
        bench.Setup();
        try
        {
            var methods = new (string Name, Func<Task> Run)[]
            {
                (nameof(bench.RawGetObject), bench.RawGetObject),
                (nameof(bench.RawGetObjectUnhashed), bench.RawGetObjectUnhashed),
                (nameof(bench.RawMultipartPut), bench.RawMultipartPut),
                (nameof(bench.RawMultipartPutConcurrent), bench.RawMultipartPutConcurrent),
                (nameof(bench.RawCopy), bench.RawCopy),
                (nameof(bench.S3InputFramedRecords), bench.S3InputFramedRecords),
                (nameof(bench.S3ToBytesToDiscard), bench.S3ToBytesToDiscard),
                (nameof(bench.S3ToJsonElementToDiscard), bench.S3ToJsonElementToDiscard),
                (nameof(bench.S3ToPocoToDiscard), bench.S3ToPocoToDiscard),
                (nameof(bench.S3ToBytesToS3), bench.S3ToBytesToS3),
                (nameof(bench.S3ToJsonElementToS3), bench.S3ToJsonElementToS3),
                (nameof(bench.S3ToPocoToS3), bench.S3ToPocoToS3),
                (nameof(bench.FileToBytesToDiscard), bench.FileToBytesToDiscard),
                (nameof(bench.FileToJsonElementToDiscard), bench.FileToJsonElementToDiscard),
                (nameof(bench.FileToPocoToDiscard), bench.FileToPocoToDiscard),
                (nameof(bench.FileToBytesToFile), bench.FileToBytesToFile),
            };
            if (only is not null)
            {
                string[] names = only.Split(',');
                methods = methods.Where(m => names.Contains(m.Name)).ToArray();
            }
            else
            {
                methods = methods.Where(m => !m.Name.StartsWith("File", StringComparison.Ordinal)).ToArray();
            }

            var wall = methods.Select(_ => new List<double>()).ToArray();
            var client = methods.Select(_ => new List<double>()).ToArray();
            var server = methods.Select(_ => new List<double>()).ToArray();
            using var process = Process.GetCurrentProcess();
            int? node = bench.Server.ProcessId;
            for (int round = 0; round < rounds + 1; round++)
            {
                for (int m = 0; m < methods.Length; m++)
                {
                    GC.Collect();
                    process.Refresh();
                    TimeSpan cpuStart = process.TotalProcessorTime;
                    double nodeStart = NodeCpuMs(node);
                    long start = Stopwatch.GetTimestamp();
                    methods[m].Run().GetAwaiter().GetResult();
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    process.Refresh();
                    double cpuMs = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
                    double nodeMs = NodeCpuMs(node) - nodeStart;
                    if (round > 0)
                    {
                        wall[m].Add(ms); // round 0 warms up (JIT, tiering, connections)
                        client[m].Add(cpuMs);
                        server[m].Add(nodeMs);
                    }
                }
            }

            // The bytes outputs must be the input, byte for byte (a store that keeps aws-chunked framing would not be).
            foreach ((string method, string key) in new[] { ("RawCopy", "raw-copy.jsons"), ("RawMultipartPut", "raw-put-1.jsons"), ("S3ToBytesToS3", "out-bytes.jsons") })
            {
                if (methods.Any(m => m.Name == method) && !bench.ReadAsync(key).GetAwaiter().GetResult().AsSpan().SequenceEqual(bench.Object.Span))
                {
                    throw new InvalidOperationException($"{method} wrote an object that differs from the input.");
                }
            }

            Console.WriteLine($"S3 probe, {bench.SizeMiB} MiB / {bench.Records:N0} records, {rounds} interleaved rounds after a warm-up round; "
                + $"part {options.PartSize >> 20} MiB, {options.MaxConcurrentPartUploads} uploads in flight, raw concurrency {bench.RawConcurrency}; "
                + $"data root {Environment.GetEnvironmentVariable("S3_BENCH_DATA_ROOT") ?? "/tmp"}; load average {LoadAverage()}");
            Console.WriteLine($"  {"Method",-26} {"best ms",8} {"median",8} {"MiB/s",7} {"x raw(best)",11} {"x raw(med)",10} {"client CPU ms",13} {"node CPU ms",11} {"ns/rec",7}");
            int baseline = Array.FindIndex(methods, m => m.Name == nameof(bench.RawGetObject));
            for (int m = 0; m < methods.Length; m++)
            {
                double best = wall[m].Min();
                double median = Median(wall[m]);
                string ratio = baseline >= 0 ? $"{wall[baseline].Min() / best,11:F2} {Median(wall[baseline]) / median,10:F2}" : $"{"",11} {"",10}";
                Console.WriteLine($"  {methods[m].Name,-26} {best,8:F0} {median,8:F0} {bench.SizeMiB * 1000 / best,7:F0} {ratio} {Median(client[m]),13:F0} {Median(server[m]),11:F0} {best * 1e6 / bench.Records,7:F0}");
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static int? Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;

    private static double NodeCpuMs(int? pid)
    {
        if (pid is null)
        {
            return 0;
        }

        // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks (100 per second); the name (field 2) has no spaces here.
        string[] fields = File.ReadAllText($"/proc/{pid}/stat").Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) * 10.0;
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
