using System.Diagnostics;
using FastScore.Streams.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

/// <summary>A 300 MB object scored S3 → model → S3 with memory bounded by the buffers.</summary>
[Category("Integration")]
public sealed class LargeObjectTests
{
    private const long ObjectBytes = 300L * 1024 * 1024;

    private sealed class Identity : IModel<string, string>
    {
        public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }

    [Test]
    public async Task A_300_MB_object_is_scored_into_a_multipart_output_with_bounded_memory()
    {
        string bucket = await Server.CreateBucketAsync();
        var (sha, bytes, records) = await UploadGeneratedNdjsonAsync(bucket, "large/input.jsons", ObjectBytes);
        using var logs = new FakeLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var engine = new ScoringEngine(Factory(loggerFactory: loggerFactory), new EngineOptions { AutoStart = false });
        engine.LoadModel(new Identity());
        engine.Attach(0, Lines(Transport(bucket, "large/input.jsons")));
        engine.Attach(1, Lines(Transport(bucket, "large/output.jsons")));

        long baseline = WorkingSetAfterCollect();
        long peak;
        EngineState final;
        using (var sampler = new PeakSampler())
        {
            final = await engine.RunAsync().WaitAsync(TimeSpan.FromMinutes(5));
            peak = sampler.Peak;
        }

        EngineInspection inspection = engine.Inspect();
        var output = await HashAsync(bucket, "large/output.jsons");
        long growthMb = (peak - baseline) / (1024 * 1024);
        TestContext.Out.WriteLine($"{bytes / (1024 * 1024)} MB, {records} records; working set {baseline / (1024 * 1024)} MB before, peak {peak / (1024 * 1024)} MB (+{growthMb} MB)");
        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), inspection.Error);
            Assert.That(inspection.Slots.Select(s => s.Records), Is.EqualTo(new[] { records, records }));
            Assert.That(output.Bytes, Is.EqualTo(bytes));
            Assert.That(output.Sha256, Is.EqualTo(sha));
            Assert.That(growthMb, Is.LessThan(200), "working-set growth while scoring 300 MB");
            Assert.That(logs.Collector.GetSnapshot().Select(r => r.Message), Has.Some.Matches<string>(m => m.Contains("in 38 parts", StringComparison.Ordinal)));
        });
    }

    private static long WorkingSetAfterCollect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>Samples the process's working set every 20 ms and keeps the highest value.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private long _peak;

        public PeakSampler()
        {
            _thread = new Thread(() =>
            {
                using var process = Process.GetCurrentProcess();
                while (!_stop.IsCancellationRequested)
                {
                    process.Refresh();
                    Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), process.WorkingSet64));
                    _stop.Token.WaitHandle.WaitOne(20);
                }
            }) { IsBackground = true, Name = "working-set sampler" };
            _thread.Start();
        }

        public long Peak => Interlocked.Read(ref _peak);

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }
}
