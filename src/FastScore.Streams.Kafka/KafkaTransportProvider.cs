using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Kafka;

/// <summary>
/// The <c>kafka</c> transport: reads a topic (one partition, or every partition under a consumer group) and writes
/// records to a topic, with at-least-once delivery end to end. Register it with
/// <c>services.AddFastScoreStreams().AddKafkaTransport()</c> or <c>new StreamFactoryOptions().AddKafka()</c>.
/// </summary>
/// <remarks>Stateless and thread-safe: one instance serves every Kafka stream of a host.</remarks>
public sealed class KafkaTransportProvider : TransportProvider
{
    private readonly KafkaTransportOptions _options;

    /// <summary>Creates the provider with default options.</summary>
    public KafkaTransportProvider() : this(new KafkaTransportOptions()) { }

    /// <summary>Creates the provider.</summary>
    /// <param name="options">Host-wide Kafka settings (configuration hooks, prefetch buffer).</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="KafkaTransportOptions.MaxBufferedMessages"/> is less than 1, or <see cref="KafkaTransportOptions.CloseTimeout"/> is negative.</exception>
    public KafkaTransportProvider(KafkaTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBufferedMessages, 1, "options.MaxBufferedMessages");
        if (options.CloseTimeout < TimeSpan.Zero && options.CloseTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException("options.CloseTimeout", options.CloseTimeout, "CloseTimeout must be zero or more, or Timeout.InfiniteTimeSpan.");
        }

        _options = options;
    }

    /// <inheritdoc />
    public override string Type => KafkaTransportDescriptor.TypeName;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Fields =>
        ["BootstrapServers", "Topic", "Partition", "MaxWaitTime", "Group", "CommitOffset", "Principal", "Keytab", "Config"];

    /// <inheritdoc />
    public override IReadOnlyList<LiteralTag> LiteralTags => [new("kafka", "kafka:broker:9092/topic.json")];

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => true;

    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <summary>Reads the fields of FastScore's Kafka transport; <c>Config</c> holds librdkafka settings (strings, numbers or booleans), each named once.</summary>
    /// <param name="fields">The fields of the transport object.</param>
    /// <returns>The descriptor.</returns>
    protected override TransportDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        IReadOnlyList<string> servers = [];
        if (!fields.Has("BootstrapServers"))
        {
            fields.Errors.Add("BootstrapServers", $"required field is missing{fields.ShortcutHint}; expected an array of \"host:port\" strings, e.g. [\"kafka:9092\"].");
        }
        else if (fields.OptionalStringArray("BootstrapServers") is { } list)
        {
            servers = list;
        }
        else
        {
            fields.Errors.Add("BootstrapServers", "expected an array of strings; found null.");
        }

        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.TryGet("Config", out DescriptorValue configValue) && !configValue.IsNull)
        {
            if (configValue.Kind == System.Text.Json.JsonValueKind.Object)
            {
                var named = new Dictionary<string, string>(StringComparer.Ordinal); // setting → the key that named it first
                foreach (KeyValuePair<string, DescriptorValue> entry in configValue.Properties())
                {
                    string entryField = DescriptorErrors.Key("Config", entry.Key);
                    if (!named.TryAdd(KafkaConfigKeys.Canonical(entry.Key), entry.Key))
                    {
                        string first = named[KafkaConfigKeys.Canonical(entry.Key)];
                        fields.Errors.Add(entryField, $"{KafkaConfigKeys.WhySame(first, entry.Key)}; give each librdkafka setting once.");
                        continue;
                    }

                    if (entry.Value.GetScalarText() is { } value)
                    {
                        config[entry.Key] = value;
                    }
                    else
                    {
                        fields.Errors.Add(entryField, $"expected a string, number or boolean (librdkafka settings are strings); found {entry.Value.Describe()}.");
                    }
                }
            }
            else
            {
                fields.Errors.Add("Config", $"expected an object of librdkafka settings, e.g. {{\"security.protocol\": \"SASL_SSL\"}}; found {configValue.Describe()}.");
            }
        }

        int partition = 0;
        if (fields.TryGet("Partition", out DescriptorValue partitionValue) && partitionValue.IsNull)
        {
            fields.Errors.Add("Partition", $"expected a non-negative integer; found {partitionValue.Describe()}.");
        }
        else
        {
            partition = (int)(fields.OptionalInteger("Partition", "a non-negative integer", 0) ?? 0);
        }

        return new KafkaTransportDescriptor
        {
            BootstrapServers = servers,
            Topic = fields.RequiredString("Topic"),
            Partition = partition,
            MaxWaitTime = fields.OptionalInteger("MaxWaitTime", "a non-negative number of milliseconds or null", KafkaTransportDescriptor.DefaultMaxWaitTime, long.MinValue, long.MaxValue),
            Group = fields.OptionalString("Group"),
            CommitOffset = fields.OptionalBoolean("CommitOffset", true),
            Principal = fields.OptionalString("Principal"),
            Keytab = fields.OptionalString("Keytab"),
            Config = config,
        };
    }

    /// <summary>
    /// Expands <c>kafka:broker[:port][,broker...]/topic[.ext][?group=G&amp;start=S&amp;partition=P&amp;maxwait=MS]</c>
    /// (docs/kafka.md): the topic's ending names the encoding, <c>start=</c> sets <c>SkipToRecord</c>.
    /// </summary>
    /// <param name="context">The literal.</param>
    protected override void ExpandLiteral(LiteralContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        KafkaLiteral literal = KafkaLiteral.Parse(context.Literal, context.Details);
        literal.WriteTransport(context.Transport);
        literal.SetStreamFields(context);
        context.EncodingSource = literal.Source;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The descriptor's transport is not a <see cref="KafkaTransportDescriptor"/>.</exception>
    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        Check(descriptor, context);
        return new KafkaInputTransport(descriptor, _options, context);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The descriptor's transport is not a <see cref="KafkaTransportDescriptor"/>.</exception>
    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context)
    {
        Check(descriptor, context);
        return new KafkaOutputTransport(descriptor, _options, context);
    }

    private static void Check(StreamDescriptor descriptor, TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(context);
        if (descriptor.Transport is not KafkaTransportDescriptor)
        {
            throw new ArgumentException($"The kafka transport needs a {nameof(KafkaTransportDescriptor)}, not {descriptor.Transport.GetType().Name}.", nameof(descriptor));
        }
    }
}
