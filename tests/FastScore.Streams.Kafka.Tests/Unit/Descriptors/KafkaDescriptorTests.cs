using FastScore.Streams.Descriptors;
using FastScore.Streams.Tests.Common;

namespace FastScore.Streams.Kafka.Tests.Descriptors;

/// <summary>The descriptor of the kafka transport: its fields and defaults, and at least one bad case each (read with only this package registered).</summary>
public sealed class KafkaDescriptorTests() : PackageDescriptorTests(options => options.AddKafka())
{
    [Test]
    public void Kafka_reads_every_field()
    {
        var kafka = (KafkaTransportDescriptor)Transport("""
            {"Type": "Kafka", "BootstrapServers": ["a:9092", "b:9093"], "Topic": "scores", "Partition": 2, "MaxWaitTime": 5000,
             "Group": "g1", "CommitOffset": false, "Principal": "kafka/host@REALM", "Keytab": "/etc/k.keytab",
             "Config": {"security.protocol": "SASL_SSL", "fetch.min.bytes": 1024, "enable.idempotence": true}}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(kafka.BootstrapServers, Is.EqualTo(new[] { "a:9092", "b:9093" }));
            Assert.That(kafka.Topic, Is.EqualTo("scores"));
            Assert.That(kafka.Partition, Is.EqualTo(2));
            Assert.That(kafka.MaxWaitTime, Is.EqualTo(5000));
            Assert.That(kafka.Group, Is.EqualTo("g1"));
            Assert.That(kafka.CommitOffset, Is.False);
            Assert.That(kafka.Principal, Is.EqualTo("kafka/host@REALM"));
            Assert.That(kafka.Keytab, Is.EqualTo("/etc/k.keytab"));
            Assert.That(kafka.Config, Is.EquivalentTo(new Dictionary<string, string>
            {
                ["security.protocol"] = "SASL_SSL",
                ["fetch.min.bytes"] = "1024",
                ["enable.idempotence"] = "true",
            }));
        });
    }

    [Test]
    public void Kafka_max_wait_time_null_waits_forever() =>
        Assert.That(((KafkaTransportDescriptor)Transport("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "MaxWaitTime": null}""")).MaxWaitTime, Is.Null);

    [Test]
    public void Kafka_needs_bootstrap_servers_and_topic()
    {
        IReadOnlyList<DescriptorError> errors = Errors("""{"Transport": {"Type": "kafka"}}""");
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[] { "Transport.BootstrapServers", "Transport.Topic" }));
    }

    [Test]
    public void Kafka_shortcut_explains_that_it_has_no_fields() =>
        Fails("""{"Transport": "kafka"}""", "Transport.Topic", "the shortcut \"kafka\" gives no fields");

    [Test]
    public void Kafka_bootstrap_servers_must_be_an_array() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": "k:9092", "Topic": "t"}""", "Transport.BootstrapServers", "an array of strings", "found \"k:9092\"");

    [Test]
    public void Kafka_bootstrap_servers_must_not_be_empty() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": [], "Topic": "t"}""", "Transport.BootstrapServers", "at least one");

    [TestCase("kafka", 0)]
    [TestCase("kafka:", 0)]
    [TestCase("kafka:99999", 0)]
    [TestCase(":9092", 0)]
    public void Kafka_bootstrap_servers_must_be_host_port(string server, int index) =>
        TransportFails($$"""{"Type": "kafka", "BootstrapServers": ["{{server}}"], "Topic": "t"}""", $"Transport.BootstrapServers[{index}]", "\"host:port\"", $"found \"{server}\"");

    [Test]
    public void Kafka_bootstrap_server_items_must_be_strings() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": ["a:1", 5], "Topic": "t"}""", "Transport.BootstrapServers[1]", "expected a string", "found 5");

    [Test]
    public void Kafka_accepts_an_ipv6_bootstrap_server() =>
        Assert.That(((KafkaTransportDescriptor)Transport("""{"Type": "kafka", "BootstrapServers": ["[::1]:9092"], "Topic": "t"}""")).BootstrapServers[0], Is.EqualTo("[::1]:9092"));

    [TestCase("has space")]
    [TestCase("")]
    [TestCase("a/b")]
    public void Kafka_topic_must_be_a_valid_name(string topic) =>
        TransportFails($$"""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "{{topic}}"}""", "Transport.Topic", "Kafka topic name");

    [Test]
    public void Kafka_partition_must_not_be_negative() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "Partition": -1}""", "Transport.Partition", "non-negative", "found -1");

    [Test]
    public void Kafka_max_wait_time_must_not_be_negative() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "MaxWaitTime": -1}""", "Transport.MaxWaitTime", "milliseconds", "found -1");

    [Test]
    public void Kafka_group_must_not_be_empty() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "Group": ""}""", "Transport.Group", "non-empty");

    [Test]
    public void Kafka_kerberos_needs_principal_and_keytab() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "Principal": "p"}""", "Transport.Keytab", "both Principal and Keytab", "found Principal without Keytab");

    [Test]
    public void Kafka_config_values_must_be_scalars() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "Config": {"sasl.mechanism": ["PLAIN"]}}""",
            "Transport.Config[\"sasl.mechanism\"]", "expected a string, number or boolean", "found an array");

    [TestCase("""{"acks": "all", "acks": "1"}""", "acks", "given twice; give each librdkafka setting once.")]
    [TestCase("""{"Acks": "all", "acks": "1"}""", "acks", "given twice (as 'Acks' and 'acks')")]
    [TestCase("""{"linger.ms": "5", "queue.buffering.max.ms": "100"}""", "queue.buffering.max.ms", "names the same librdkafka setting as 'linger.ms' (librdkafka reads 'linger.ms' as 'queue.buffering.max.ms')")]
    [TestCase("""{"compression.codec": "lz4", "compression.type": "zstd"}""", "compression.type", "librdkafka reads 'compression.type' as 'compression.codec'")]
    public void Kafka_config_keys_naming_the_same_setting_twice_are_errors(string config, string key, string message) =>
        TransportFails($$"""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "Config": {{config}}}""", $"Transport.Config[\"{key}\"]", message);

    [Test]
    public void Kafka_config_built_in_code_with_an_alias_and_its_setting_fails_validation()
    {
        var descriptor = Parse("""{"Transport": {"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t"}, "Encoding": "json"}""");
        var kafka = (KafkaTransportDescriptor)descriptor.Transport;
        StreamDescriptor twice = descriptor with { Transport = kafka with { Config = new Dictionary<string, string> { ["acks"] = "all", ["request.required.acks"] = "1" } } };

        var ex = Assert.Throws<DescriptorException>(() => twice.Validate());
        Assert.That(ex!.Errors.Select(e => e.ToString()), Has.One.StartsWith("Transport.Config[\"request.required.acks\"]: names the same librdkafka setting as 'acks'"));
    }

    [Test]
    public void Kafka_config_must_be_an_object() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "Config": "x=y"}""", "Transport.Config", "an object of librdkafka settings");

    [Test]
    public void Kafka_commit_offset_must_be_boolean() =>
        TransportFails("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "CommitOffset": "no"}""", "Transport.CommitOffset", "expected true or false");
}
