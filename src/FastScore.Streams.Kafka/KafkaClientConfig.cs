using System.Globalization;
using Confluent.Kafka;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Kafka;

/// <summary>
/// Turns a Kafka descriptor into librdkafka client configurations. Precedence, lowest first: the transport's defaults,
/// the descriptor's <c>Config</c> object, the descriptor's own fields (BootstrapServers, Group, Principal, Keytab), the
/// settings at-least-once delivery needs, and finally the host's <see cref="KafkaTransportOptions"/> hooks.
/// </summary>
/// <exception cref="StreamException">A <c>secret://</c> value of <c>Config</c> cannot be read.</exception>
internal static class KafkaClientConfig
{
    /// <summary>The linger applied to producers unless <c>Config</c> sets <c>linger.ms</c>: small batches, low latency.</summary>
    public const int DefaultLingerMs = 5;

    public static ConsumerConfig Consumer(KafkaTransportDescriptor descriptor, RecordPosition start, string groupId, KafkaTransportOptions options)
    {
        var config = new ConsumerConfig
        {
            ClientId = "fastscore-streams",
            EnablePartitionEof = false,
            // Incremental rebalances: a member joining or leaving moves only the partitions that change owner.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        };
        ApplyCommon(config, descriptor);
        config.GroupId = groupId;

        // At-least-once: offsets are committed by the transport, only for acknowledged records.
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.AutoOffsetReset = start.Kind == RecordPositionKind.Latest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest;
        options.ConfigureConsumer?.Invoke(config);
        return config;
    }

    public static ProducerConfig Producer(KafkaTransportDescriptor descriptor, KafkaTransportOptions options)
    {
        var config = new ProducerConfig
        {
            ClientId = "fastscore-streams",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = DefaultLingerMs,
            // Delivery reports carry the status and error only: the payload is not marshalled back.
            DeliveryReportFields = "status",
        };
        ApplyCommon(config, descriptor);
        options.ConfigureProducer?.Invoke(config);
        return config;
    }

    /// <summary>Applies <c>Config</c>, then BootstrapServers and the Kerberos fields.</summary>
    private static void ApplyCommon(ClientConfig config, KafkaTransportDescriptor descriptor)
    {
        foreach ((string key, string value) in descriptor.Config)
        {
            config.Set(key, SecretResolver.Resolve(value)); // "secret://name" values are read from the secret files now
        }

        config.BootstrapServers = string.Join(",", descriptor.BootstrapServers);
        if (descriptor.Principal is { Length: > 0 } principal)
        {
            config.Set("sasl.kerberos.principal", principal);
            SetDefault(config, "sasl.mechanism", "GSSAPI", "sasl.mechanisms");
            SetDefault(config, "security.protocol", "sasl_plaintext");
        }

        if (descriptor.Keytab is { Length: > 0 } keytab)
        {
            config.Set("sasl.kerberos.keytab", keytab);
        }
    }

    private static void SetDefault(ClientConfig config, string key, string value, string? alias = null)
    {
        if (config.Get(key) is null && (alias is null || config.Get(alias) is null))
        {
            config.Set(key, value);
        }
    }

    /// <summary>Describes where a consumer starts, for logs.</summary>
    public static string Describe(RecordPosition start) => start.Kind switch
    {
        RecordPositionKind.Offset => "offset " + start.Offset.ToString(CultureInfo.InvariantCulture),
        _ => start.ToString(),
    };
}
