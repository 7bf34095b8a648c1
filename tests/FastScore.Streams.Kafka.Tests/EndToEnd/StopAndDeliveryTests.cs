using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.TestUtilities;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>
/// Issue 12, point 5: <c>fastscore run</c> as a real child process against brokers that cannot be reached (a host that
/// does not resolve, a private mock broker taken down). It warns at once naming the broker, a SIGTERM stop is bounded by
/// LingerTime + --stop-timeout, a second signal exits at once, and records that were not delivered are never counted as
/// written. The timeouts below are hang guards, not timing assertions.
/// </summary>
[Category("Integration")]
public sealed partial class StopAndDeliveryTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan WarningGuard = TimeSpan.FromSeconds(30);
    private const string UnreachableWarning = "warning: .*cannot reach the Kafka brokers";

    [Test]
    public async Task The_guides_descriptor_with_an_unresolvable_broker_warns_and_SIGTERM_ends_the_run_with_nothing_counted_as_written()
    {
        // The FastScore guide's own iris output descriptor (fastscore-examples/streams/iris_stream.json).
        string host = ResolvableHere("kafka") ? "kafka.invalid" : "kafka"; // "kafka" resolves only inside the guide's docker network
        using var files = new TempFiles();
        string descriptor = files.Write("iris_stream.json", $$"""
            {
              "Envelope": null,
              "Transport": { "Topic": "iris-output", "BootstrapServers": ["{{host}}:9092"], "Type": "kafka" },
              "Encoding": "json"
            }
            """);
        await using RecordPipe input = await files.PipeAsync("iris.jsons");

        await using var cli = FastScoreCliProcess.Start(["run", "iris", "file:" + input.Path, descriptor]);
        string warning = await cli.WaitForStderrAsync(UnreachableWarning, WarningGuard);
        await input.WriteIrisAsync(3000); // returns once the run has read most of them
        cli.Signal(FastScoreCliProcess.SigTerm);
        input.Close();
        bool exited = await cli.WaitForExitAsync(HangGuard);

        Assert.That(exited, Is.True, "SIGTERM ended the run (LingerTime 3 s + the default --stop-timeout of 20 s)");
        Dictionary<string, string> output = SummaryRow(cli.Stderr, slot: 1);
        Assert.Multiple(() =>
        {
            Assert.That(cli.IsGone, Is.True);
            Assert.That(warning, Does.Contain($"{host}:9092"), "the warning names the broker");
            Assert.That(cli.ExitCode, Is.EqualTo(1), cli.Stderr);
            Assert.That(Count(output["records"]), Is.Zero, "nothing reached the broker, so nothing is counted as written");
            Assert.That(Count(output["undelivered"]), Is.GreaterThan(0));
            Assert.That(cli.Stderr, Does.Match(@"undelivered: [\d,]+ records written to slot 1 .* did not reach it"));
        });
    }

    [Test]
    public async Task With_every_broker_down_and_the_producer_queue_full_a_SIGTERM_stop_is_abandoned_at_the_limit()
    {
        using KafkaTestCluster cluster = KafkaTestCluster.StartMock();
        string topic = cluster.CreateUniqueTopic("down-out", 1);
        cluster.BrokerDown(1);
        using var files = new TempFiles();
        string descriptor = files.Write("out.json", FullQueueDescriptor(cluster, topic));
        await using RecordPipe input = await files.PipeAsync("iris.jsons");

        await using var cli = FastScoreCliProcess.Start(["run", "iris", "--stop-timeout", "5", "file:" + input.Path, descriptor]);
        string warning = await cli.WaitForStderrAsync(UnreachableWarning, WarningGuard);
        // More records than the output's queue and the pipeline's buffers hold (tens of thousands with 4096-record batches):
        // the writer stops when the run stops reading; then scoring waits for room, so the drain cannot end.
        Task writing = input.WriteIrisInBackground(1_000_000);
        await input.WaitUntilBlockedAsync(8000);
        cli.Signal(FastScoreCliProcess.SigTerm);
        bool exited = await cli.WaitForExitAsync(HangGuard);
        await writing;

        Assert.That(exited, Is.True, "the stop is abandoned after LingerTime + --stop-timeout");
        Dictionary<string, string> output = SummaryRow(cli.Stderr, slot: 1);
        Assert.Multiple(() =>
        {
            Assert.That(cli.IsGone, Is.True);
            Assert.That(warning, Does.Contain(cluster.BootstrapServers));
            Assert.That(cli.Stderr, Does.Contain("The stop did not finish within 8 s (LingerTime 3000 ms + StopTimeout 5 s) and was abandoned"));
            Assert.That(cli.ExitCode, Is.EqualTo(1));
            Assert.That(Count(output["records"]), Is.Zero);
            Assert.That(Count(output["undelivered"]), Is.GreaterThan(1), "the queued record, and those waiting for room, are undelivered");
        });
    }

    [Test]
    public async Task With_every_broker_down_a_second_signal_exits_at_once()
    {
        using KafkaTestCluster cluster = KafkaTestCluster.StartMock();
        string topic = cluster.CreateUniqueTopic("twice-out", 1);
        cluster.BrokerDown(1);
        using var files = new TempFiles();
        string descriptor = files.Write("out.json", FullQueueDescriptor(cluster, topic));
        await using RecordPipe input = await files.PipeAsync("iris.jsons");

        // A graceful stop would wait up to an hour here: only the second signal can end it within the guard.
        await using var cli = FastScoreCliProcess.Start(["run", "iris", "--stop-timeout", "3600", "file:" + input.Path, descriptor]);
        await cli.WaitForStderrAsync(UnreachableWarning, WarningGuard);
        await input.WriteIrisAsync(3000);
        cli.Signal(FastScoreCliProcess.SigTerm);
        input.Close();
        await cli.WaitForStderrAsync("fastscore: stopping", WarningGuard);
        cli.Signal(FastScoreCliProcess.SigInt);
        bool exited = await cli.WaitForExitAsync(HangGuard);

        Assert.That(exited, Is.True, cli.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(cli.IsGone, Is.True);
            Assert.That(cli.ExitCode, Is.EqualTo(130), "128 + SIGINT: the forced exit");
            Assert.That(cli.Stderr, Does.Contain("SIGINT again: exiting at once"));
        });
    }

    [Test]
    public async Task Records_acknowledged_before_the_broker_went_down_are_counted_as_written_and_the_rest_as_undelivered()
    {
        using KafkaTestCluster cluster = KafkaTestCluster.StartMock();
        string topic = cluster.CreateUniqueTopic("half-out", 1);
        await using var cli = FastScoreCliProcess.Start(["run", "echo", "--stop-timeout", "5", "console:", $"kafka:{cluster.BootstrapServers}/{topic}.json"]);
        await WriteRecordsAsync(cli, 0, 1000);
        await WaitForMessagesAsync(cluster, topic, 1000);

        cluster.BrokerDown(1);
        await WriteRecordsAsync(cli, 1000, 500); // scored and produced, never acknowledged
        await cli.WaitForStderrAsync(UnreachableWarning, WarningGuard);
        cli.StandardInput.Close(); // end of input: the run finishes, and the output waits LingerTime for what is pending
        bool exited = await cli.WaitForExitAsync(HangGuard);
        cluster.BrokerUp(1);
        long inTopic = HighWatermark(cluster, topic);

        Assert.That(exited, Is.True, cli.Stderr);
        Dictionary<string, string> output = SummaryRow(cli.Stderr, slot: 1);
        Assert.Multiple(() =>
        {
            Assert.That(cli.IsGone, Is.True);
            Assert.That(cli.ExitCode, Is.EqualTo(1), cli.Stderr);
            Assert.That(inTopic, Is.EqualTo(1000), "what the broker holds");
            Assert.That(Count(output["records"]), Is.EqualTo(inTopic), "written = acknowledged by the broker");
            Assert.That(Count(output["undelivered"]), Is.EqualTo(500));
            Assert.That(cli.Stderr, Does.Contain("500 records to kafka:"), "the error says how many were not acknowledged");
            Assert.That(Count(SummaryRow(cli.Stderr, slot: 0)["records"]), Is.EqualTo(1500));
        });
    }

    [Test]
    public async Task A_consumer_group_input_on_a_stopped_broker_warns_and_SIGTERM_ends_the_run()
    {
        using KafkaTestCluster cluster = KafkaTestCluster.StartMock();
        string topic = cluster.CreateUniqueTopic("down-in", 1);
        cluster.BrokerDown(1);
        using var files = new TempFiles();
        string descriptor = files.Write("in.json", $$"""
            {"Transport": {"Type": "kafka", "BootstrapServers": ["{{cluster.BootstrapServers}}"], "Topic": "{{topic}}",
                           "Group": "stopped-broker", "MaxWaitTime": null},
             "SkipToRecord": "earliest", "Encoding": "json"}
            """);
        string output = Path.Combine(files.Directory, "out.jsons");

        await using var cli = FastScoreCliProcess.Start(["run", "echo", descriptor, "file:" + output]);
        string warning = await cli.WaitForStderrAsync(UnreachableWarning, WarningGuard);
        cli.Signal(FastScoreCliProcess.SigTerm);
        bool exited = await cli.WaitForExitAsync(HangGuard);

        Assert.That(exited, Is.True, "the consumer's last commit waits for a coordinator that never answers: its close is bounded");
        Assert.Multiple(() =>
        {
            Assert.That(cli.IsGone, Is.True);
            Assert.That(warning, Does.Contain(cluster.BootstrapServers));
            Assert.That(File.Exists(output) ? File.ReadAllText(output) : "", Is.Empty, "nothing was read");
        });
    }

    /// <summary>A descriptor whose local queue holds one record: with the broker down the writer waits for room that never comes.</summary>
    private static string FullQueueDescriptor(KafkaTestCluster cluster, string topic) => $$"""
        {"Transport": {"Type": "kafka", "BootstrapServers": ["{{cluster.BootstrapServers}}"], "Topic": "{{topic}}",
                       "Config": {"queue.buffering.max.messages": "1"} },
         "Encoding": "json"}
        """;

    private static async Task WriteRecordsAsync(FastScoreCliProcess cli, int first, int count)
    {
        for (int i = first; i < first + count; i++)
        {
            await cli.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{i}}}"));
        }

        await cli.StandardInput.FlushAsync();
    }

    private static async Task WaitForMessagesAsync(KafkaTestCluster cluster, string topic, long count)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (HighWatermark(cluster, topic) < count)
        {
            await Task.Delay(100, guard.Token);
        }
    }

    private static long HighWatermark(KafkaTestCluster cluster, string topic)
    {
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.ConsumerConfig(KafkaTestCluster.UniqueName("check"))).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(30)).High.Value;
    }

    /// <summary>One slot's row of the summary table, by column name.</summary>
    private static Dictionary<string, string> SummaryRow(string stderr, int slot)
    {
        string[] lines = stderr.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        int header = Array.FindLastIndex(lines, l => l.StartsWith("slot  dir  stream", StringComparison.Ordinal));
        Assert.That(header, Is.GreaterThanOrEqualTo(0), "no summary table on stderr:\n" + stderr);
        string[] names = Columns().Split(lines[header]);
        string? row = lines.Skip(header + 1).FirstOrDefault(l => l.StartsWith(slot.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal));
        Assert.That(row, Is.Not.Null, $"no row for slot {slot}:\n" + stderr);
        string[] cells = Columns().Split(row!);
        return names.Zip(cells).ToDictionary(p => p.First, p => p.Second);
    }

    private static long Count(string cell) => long.Parse(cell, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static bool ResolvableHere(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host).Length > 0;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Columns();

    /// <summary>A temporary folder for a test's descriptors, inputs and outputs.</summary>
    private sealed class TempFiles : IDisposable
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("fastscore-stop-").FullName;

        public string Write(string name, string text)
        {
            string path = Path.Combine(Directory, name);
            File.WriteAllText(path, text);
            return path;
        }

        /// <summary>Makes a named pipe: the run reads records as the test writes them, so the test knows they flow.</summary>
        public async Task<RecordPipe> PipeAsync(string name)
        {
            string path = Path.Combine(Directory, name);
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", path))
            {
                await mkfifo.WaitForExitAsync();
                Assert.That(mkfifo.ExitCode, Is.Zero, "mkfifo");
            }

            return new RecordPipe(path);
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// The writing end of a named pipe that a run reads as its input file. A pipe holds 64 KiB: a write of more returns
    /// only once the reader has taken all but that much, so records are known to have reached the run.
    /// </summary>
    private sealed class RecordPipe(string path) : IAsyncDisposable
    {
        private FileStream? _writer;

        public string Path { get; } = path;

        /// <summary>Writes the guide's iris records, repeated to <paramref name="count"/> lines (opening the pipe first: it waits for the reader).</summary>
        public async Task WriteIrisAsync(int count)
        {
            string[] records = File.ReadAllLines(System.IO.Path.Combine(AppContext.BaseDirectory, "data", "xgboost_iris_inputs.jsons"));
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, count).Select(i => records[i % records.Length] + "\n")));
            Assert.That(bytes.Length, Is.GreaterThan(3 * 64 * 1024), "more than the pipe holds");
            await Task.Run(async () =>
            {
                _writer ??= new FileStream(Path, FileMode.Open, FileAccess.Write);
                await _writer.WriteAsync(bytes);
                await _writer.FlushAsync();
            }).WaitAsync(WarningGuard);
        }

        private int _written;

        /// <summary>Gets how many records <see cref="WriteIrisInBackground"/> has handed to the pipe so far.</summary>
        public int Written => Volatile.Read(ref _written);

        /// <summary>
        /// Writes the guide's iris records in chunks of 100, up to <paramref name="count"/>, and then keeps the pipe open.
        /// Stops quietly when the reader goes away.
        /// </summary>
        public Task WriteIrisInBackground(int count) => Task.Run(async () =>
        {
            string[] records = File.ReadAllLines(System.IO.Path.Combine(AppContext.BaseDirectory, "data", "xgboost_iris_inputs.jsons"));
            try
            {
                _writer ??= new FileStream(Path, FileMode.Open, FileAccess.Write);
                for (int i = 0; i < count; i += 100)
                {
                    byte[] chunk = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(i, 100).Select(n => records[n % records.Length] + "\n")));
                    await _writer.WriteAsync(chunk);
                    await _writer.FlushAsync();
                    Interlocked.Add(ref _written, 100);
                }
            }
            catch (IOException)
            {
                // the run exited: its end of the pipe is closed
            }
        });

        /// <summary>Waits until <paramref name="count"/> records are in the pipe (all but 64 KiB of them read by the run).</summary>
        public async Task WaitForWrittenAsync(int count)
        {
            using var guard = new CancellationTokenSource(WarningGuard);
            while (Written < count)
            {
                await Task.Delay(20, guard.Token);
            }
        }

        /// <summary>
        /// Waits until at least <paramref name="count"/> records are in the pipe and the writer has been blocked for two
        /// seconds (no chunk taken): the run has stopped reading because everything after its input waits for room.
        /// </summary>
        public async Task WaitUntilBlockedAsync(int count)
        {
            using var guard = new CancellationTokenSource(WarningGuard);
            int seen = -1;
            var still = System.Diagnostics.Stopwatch.StartNew();
            while (Written < count || seen != Written || still.Elapsed < TimeSpan.FromSeconds(2))
            {
                if (seen != Written)
                {
                    seen = Written;
                    still.Restart();
                }

                await Task.Delay(20, guard.Token);
            }
        }

        /// <summary>Closes the pipe: the run's input reaches its end.</summary>
        public void Close()
        {
            _writer?.Dispose();
            _writer = null;
        }

        public ValueTask DisposeAsync()
        {
            Close();
            return default;
        }
    }
}
