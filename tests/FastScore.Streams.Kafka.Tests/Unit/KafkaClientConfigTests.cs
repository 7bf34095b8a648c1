using Confluent.Kafka;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Kafka.Tests.Unit;

public sealed class KafkaClientConfigTests
{
    private static KafkaTransportDescriptor Descriptor(Dictionary<string, string>? config = null, string? group = null, string? principal = null, string? keytab = null) => new()
    {
        BootstrapServers = ["b1:9092", "b2:9093"],
        Topic = "scores",
        Group = group,
        Principal = principal,
        Keytab = keytab,
        Config = config ?? [],
    };

    [Test]
    public void The_producer_is_idempotent_waits_for_all_replicas_and_lingers_5_ms_by_default()
    {
        ProducerConfig config = KafkaClientConfig.Producer(Descriptor(), new KafkaTransportOptions());

        Assert.Multiple(() =>
        {
            Assert.That(config.BootstrapServers, Is.EqualTo("b1:9092,b2:9093"));
            Assert.That(config.EnableIdempotence, Is.True);
            Assert.That(config.Acks, Is.EqualTo(Acks.All));
            Assert.That(config.LingerMs, Is.EqualTo(5));
        });
    }

    [Test]
    public void Config_is_passed_through_to_librdkafka_and_overrides_the_transport_defaults()
    {
        var descriptor = Descriptor(new()
        {
            ["security.protocol"] = "SASL_SSL",
            ["sasl.mechanism"] = "PLAIN",
            ["sasl.username"] = "api-key",
            ["sasl.password"] = "api-secret",
            ["compression.type"] = "lz4",
            ["linger.ms"] = "50",
        });

        ProducerConfig config = KafkaClientConfig.Producer(descriptor, new KafkaTransportOptions());

        Assert.Multiple(() =>
        {
            Assert.That(config.Get("security.protocol"), Is.EqualTo("SASL_SSL"));
            Assert.That(config.Get("sasl.mechanism"), Is.EqualTo("PLAIN"));
            Assert.That(config.Get("sasl.username"), Is.EqualTo("api-key"));
            Assert.That(config.Get("sasl.password"), Is.EqualTo("api-secret"));
            Assert.That(config.Get("compression.type"), Is.EqualTo("lz4"));
            Assert.That(config.LingerMs, Is.EqualTo(50));
            Assert.That(config.EnableIdempotence, Is.True);
        });
    }

    [Test]
    public void Descriptor_fields_win_over_Config_and_the_consumer_never_auto_commits()
    {
        var descriptor = Descriptor(new()
        {
            ["bootstrap.servers"] = "elsewhere:1",
            ["group.id"] = "from-config",
            ["enable.auto.commit"] = "true",
            ["enable.auto.offset.store"] = "true",
            ["auto.offset.reset"] = "latest",
        }, group: "scorers");

        ConsumerConfig config = KafkaClientConfig.Consumer(descriptor, RecordPosition.Earliest, "scorers", new KafkaTransportOptions());

        Assert.Multiple(() =>
        {
            Assert.That(config.BootstrapServers, Is.EqualTo("b1:9092,b2:9093"));
            Assert.That(config.GroupId, Is.EqualTo("scorers"));
            Assert.That(config.EnableAutoCommit, Is.False);
            Assert.That(config.EnableAutoOffsetStore, Is.False);
            Assert.That(config.AutoOffsetReset, Is.EqualTo(AutoOffsetReset.Earliest));
        });
    }

    [TestCase(RecordPositionKind.Earliest, AutoOffsetReset.Earliest)]
    [TestCase(RecordPositionKind.Latest, AutoOffsetReset.Latest)]
    [TestCase(RecordPositionKind.Offset, AutoOffsetReset.Earliest)]
    public void SkipToRecord_sets_where_a_group_without_committed_offsets_starts(RecordPositionKind kind, AutoOffsetReset expected)
    {
        ConsumerConfig config = KafkaClientConfig.Consumer(Descriptor(group: "g"), new RecordPosition(kind, 3), "g", new KafkaTransportOptions());

        Assert.That(config.AutoOffsetReset, Is.EqualTo(expected));
    }

    [Test]
    public void Principal_and_Keytab_map_to_the_sasl_kerberos_settings_over_sasl_plaintext()
    {
        ConsumerConfig config = KafkaClientConfig.Consumer(Descriptor(principal: "fastscore@EXAMPLE.COM", keytab: "/etc/security/fastscore.keytab"),
            RecordPosition.Latest, "g", new KafkaTransportOptions());

        Assert.Multiple(() =>
        {
            Assert.That(config.Get("sasl.kerberos.principal"), Is.EqualTo("fastscore@EXAMPLE.COM"));
            Assert.That(config.Get("sasl.kerberos.keytab"), Is.EqualTo("/etc/security/fastscore.keytab"));
            Assert.That(config.Get("sasl.mechanism"), Is.EqualTo("GSSAPI"));
            Assert.That(config.Get("security.protocol"), Is.EqualTo("sasl_plaintext"));
        });
    }

    [Test]
    public void Kerberos_keeps_a_security_protocol_set_in_Config()
    {
        var descriptor = Descriptor(new() { ["security.protocol"] = "SASL_SSL", ["ssl.ca.location"] = "/etc/ca.pem" }, principal: "p@R", keytab: "/k");

        ProducerConfig config = KafkaClientConfig.Producer(descriptor, new KafkaTransportOptions());

        Assert.Multiple(() =>
        {
            Assert.That(config.Get("security.protocol"), Is.EqualTo("SASL_SSL"));
            Assert.That(config.Get("ssl.ca.location"), Is.EqualTo("/etc/ca.pem"));
            Assert.That(config.Get("sasl.mechanism"), Is.EqualTo("GSSAPI"));
        });
    }

    [Test]
    public void The_host_hooks_run_last()
    {
        var options = new KafkaTransportOptions
        {
            ConfigureConsumer = c => c.GroupId = "hooked",
            ConfigureProducer = p => p.LingerMs = 0,
        };

        ConsumerConfig consumer = KafkaClientConfig.Consumer(Descriptor(group: "g"), RecordPosition.Latest, "g", options);
        ProducerConfig producer = KafkaClientConfig.Producer(Descriptor(new() { ["linger.ms"] = "20" }), options);

        Assert.Multiple(() =>
        {
            Assert.That(consumer.GroupId, Is.EqualTo("hooked"));
            Assert.That(producer.LingerMs, Is.EqualTo(0));
        });
    }

    [Test]
    public void A_secret_reference_in_Config_is_read_from_its_file()
    {
        string file = Path.Combine(Directory.CreateTempSubdirectory("fss-secret-").FullName, "kafka-password");
        File.WriteAllText(file, "s3cr3t\n");
        var descriptor = Descriptor(new() { ["sasl.password"] = "secret://" + file });

        ProducerConfig config = KafkaClientConfig.Producer(descriptor, new KafkaTransportOptions());

        Assert.That(config.Get("sasl.password"), Is.EqualTo("s3cr3t"));
        Directory.Delete(Path.GetDirectoryName(file)!, true);
    }
}
