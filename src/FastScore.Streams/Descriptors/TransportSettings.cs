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

/// <summary>Mutable settings for <see cref="StreamDescriptorBuilder.UseS3"/>; they become an <see cref="S3TransportDescriptor"/>.</summary>
public sealed class S3TransportSettings
{
    /// <summary>Gets or sets the bucket. Required.</summary>
    public string? Bucket { get; set; }

    /// <summary>Gets or sets the object key (a prefix ending in <c>/</c> reads every object under it). Required.</summary>
    public string? ObjectKey { get; set; }

    /// <summary>Gets or sets the region.</summary>
    /// <value>The default value is <c>"us-east-1"</c>.</value>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Gets or sets a value indicating whether Content-MD5 integrity checks are made.</summary>
    public bool IntegrityChecks { get; set; }

    /// <summary>Gets or sets the access key id (may be <c>secret://name</c>), or <see langword="null"/> for the AWS credential chain.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Gets or sets the secret access key (may be <c>secret://name</c>), or <see langword="null"/>.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>Gets or sets the endpoint of an S3-compatible store, or <see langword="null"/> for AWS.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Gets or sets the <c>AssumeRoleWithSAML</c> settings as raw JSON (an object or a string), or <see langword="null"/>.</summary>
    public string? AssumeRoleWithSaml { get; set; }

    internal S3TransportDescriptor ToDescriptor() => new()
    {
        Bucket = Bucket ?? string.Empty,
        ObjectKey = ObjectKey ?? string.Empty,
        Region = Region,
        IntegrityChecks = IntegrityChecks,
        AccessKeyId = string.IsNullOrEmpty(AccessKeyId) ? null : AccessKeyId,
        SecretAccessKey = string.IsNullOrEmpty(SecretAccessKey) ? null : SecretAccessKey,
        Endpoint = string.IsNullOrEmpty(Endpoint) ? null : Endpoint,
        AssumeRoleWithSaml = AssumeRoleWithSaml,
    };
}
