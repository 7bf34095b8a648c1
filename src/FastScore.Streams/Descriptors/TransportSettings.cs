namespace FastScore.Streams.Descriptors;

/// <summary>Mutable settings for <see cref="StreamDescriptorBuilder.UseKafka"/>; they become a <see cref="KafkaTransportDescriptor"/>.</summary>
public sealed class KafkaTransportSettings
{
    /// <summary>Gets or sets the bootstrap servers, each <c>host:port</c>. Required.</summary>
    public IList<string> BootstrapServers { get; set; } = [];

    /// <summary>Gets or sets the topic. Required.</summary>
    public string? Topic { get; set; }

    /// <summary>Gets or sets the partition read when no <see cref="Group"/> is set.</summary>
    /// <value>The default value is 0.</value>
    public int Partition { get; set; }

    /// <summary>Gets or sets how long, in milliseconds, an input waits without records before end of stream; <see langword="null"/> waits forever.</summary>
    /// <value>The default value is 8388607.</value>
    public long? MaxWaitTime { get; set; } = KafkaTransportDescriptor.DefaultMaxWaitTime;

    /// <summary>Gets or sets the consumer group, or <see langword="null"/>.</summary>
    public string? Group { get; set; }

    /// <summary>Gets or sets a value indicating whether offsets are committed.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CommitOffset { get; set; } = true;

    /// <summary>Gets or sets the Kerberos principal, or <see langword="null"/>.</summary>
    public string? Principal { get; set; }

    /// <summary>Gets or sets the Kerberos keytab path, or <see langword="null"/>.</summary>
    public string? Keytab { get; set; }

    /// <summary>Gets the librdkafka settings passed through unchanged.</summary>
    public IDictionary<string, string> Config { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    internal KafkaTransportDescriptor ToDescriptor() => new()
    {
        BootstrapServers = [.. BootstrapServers],
        Topic = Topic ?? string.Empty,
        Partition = Partition,
        MaxWaitTime = MaxWaitTime,
        Group = Group,
        CommitOffset = CommitOffset,
        Principal = Principal,
        Keytab = Keytab,
        Config = new Dictionary<string, string>(Config, StringComparer.Ordinal),
    };
}
