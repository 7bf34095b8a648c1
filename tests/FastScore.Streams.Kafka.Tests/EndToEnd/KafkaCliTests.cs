using System.Globalization;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;
using FastScore.Streams.TestUtilities;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>
/// Issue 12, point 10 (Kafka): the <c>kafka:</c> literal names a consumer group and a start offset, <c>stream sample</c>
/// says what it waits for and gives up after <c>--timeout</c>, and duplicate <c>Config</c> keys are a descriptor error.
/// <c>fastscore</c> runs as a child process against the mock broker.
/// </summary>
[Category("Integration")]
public sealed class KafkaCliTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    [Test]
    public async Task Stream_sample_of_a_topic_read_from_latest_says_what_it_waits_for_and_gives_up_after_the_timeout()
    {
        KafkaTestCluster cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("sample-latest", 1);
        KafkaStreams.Produce(cluster, topic, ["""{"n":1}""", """{"n":2}"""]); // there before the sample starts: not shown

        await using var cli = FastScoreCliProcess.Start(["stream", "sample", $"kafka:{cluster.BootstrapServers}/{topic}.json", "--timeout", "3"]);
        bool exited = await cli.WaitForExitAsync(Guard);

        Assert.That(exited, Is.True, cli.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(cli.ExitCode, Is.EqualTo(3), "nothing arrived: exit code 3");
            Assert.That(cli.Stdout, Is.Empty);
            Assert.That(cli.Stderr, Does.Contain($"waiting for records from kafka:{topic}/0 ({cluster.BootstrapServers}) starting at the latest offset"));
            Assert.That(cli.Stderr, Does.Contain("?start=earliest"), "it says how to read what the topic holds");
            Assert.That(cli.Stderr, Does.Contain($"no record arrived from kafka:{topic}/0 ({cluster.BootstrapServers}) within 3 s (--timeout); gave up."));
        });
    }

    [Test]
    public async Task Stream_sample_of_a_literal_with_start_earliest_prints_what_the_topic_holds()
    {
        KafkaTestCluster cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("sample-earliest", 1);
        KafkaStreams.Produce(cluster, topic, ["""{"n":1}""", """{"n":2}""", """{"n":3}"""]);

        await using var cli = FastScoreCliProcess.Start(["stream", "sample", $"kafka:{cluster.BootstrapServers}/{topic}.json?start=earliest", "-n", "3"]);
        bool exited = await cli.WaitForExitAsync(Guard);

        Assert.That(exited, Is.True, cli.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(cli.ExitCode, Is.Zero, cli.Stderr);
            Assert.That(cli.Stdout.Split(Environment.NewLine), Is.EqualTo(new[] { """   1: {"n":1}""", """   2: {"n":2}""", """   3: {"n":3}""" }));
        });
    }

    [Test]
    public async Task A_run_from_a_literal_naming_a_group_and_a_start_offset_reads_every_partition_and_commits_for_the_group()
    {
        KafkaTestCluster cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("literal-group", 2);
        string group = KafkaTestCluster.UniqueName("literal");
        KafkaStreams.Produce(cluster, topic, Records(0, 40), partition: 0);
        KafkaStreams.Produce(cluster, topic, Records(40, 40), partition: 1);
        string output = Path.Combine(Path.GetTempPath(), $"literal-group-{Guid.NewGuid():N}.jsons");
        try
        {
            await using var cli = FastScoreCliProcess.Start(
                ["run", "echo", $"kafka:{cluster.BootstrapServers}/{topic}.json?group={group}&start=earliest&maxwait=2000", "file:" + output]);
            bool exited = await cli.WaitForExitAsync(Guard);

            Assert.That(exited, Is.True, cli.Stderr);
            Assert.Multiple(() =>
            {
                Assert.That(cli.ExitCode, Is.Zero, cli.Stderr);
                Assert.That(cli.Stderr, Does.Contain($"kafka:{topic} group {group}"), "the summary names the group");
                Assert.That(File.ReadAllLines(output).Order(), Is.EqualTo(Records(0, 80).Order()), "both partitions, from the earliest offset");
                Assert.That(KafkaInputTests.Committed(cluster, topic, 2, group), Is.EqualTo(new Dictionary<int, long> { [0] = 40, [1] = 40 }),
                    "the group's offsets are committed: a next run resumes there");
            });
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Test]
    public async Task Duplicate_keys_in_a_kafka_Config_are_descriptor_errors_with_their_field_path()
    {
        string descriptor = Path.Combine(Path.GetTempPath(), $"dup-config-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(descriptor, """
            {"Transport": {"Type": "kafka", "BootstrapServers": ["broker:9092"], "Topic": "scores",
                           "Config": {"acks": "all", "linger.ms": "5", "acks": "1", "queue.buffering.max.ms": "100"}},
             "Encoding": "json"}
            """);
        try
        {
            await using var cli = FastScoreCliProcess.Start(["stream", "verify", descriptor]);
            bool exited = await cli.WaitForExitAsync(Guard);

            Assert.That(exited, Is.True);
            Assert.Multiple(() =>
            {
                Assert.That(cli.ExitCode, Is.EqualTo(1));
                Assert.That(cli.Stderr, Does.Contain("""Transport.Config["acks"]: given twice; give each librdkafka setting once."""));
                Assert.That(cli.Stderr, Does.Contain("""Transport.Config["queue.buffering.max.ms"]: names the same librdkafka setting as 'linger.ms' (librdkafka reads 'linger.ms' as 'queue.buffering.max.ms')"""));
                Assert.That(cli.Stderr, Does.Not.Contain("   at "), "no stack trace");
            });
        }
        finally
        {
            File.Delete(descriptor);
        }
    }

    private static List<string> Records(int first, int count) =>
        Enumerable.Range(first, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{i}}}")).ToList();

}
