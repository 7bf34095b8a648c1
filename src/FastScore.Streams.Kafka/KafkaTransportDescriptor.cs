using System.Globalization;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Kafka;

/// <summary>
/// Kafka: a topic (one partition, or all of them under a consumer group). Read, checked, printed and expanded from the
/// <c>kafka:broker:9092/topic.json</c> literal by <see cref="KafkaTransportProvider"/>; built in code with <c>UseKafka(...)</c>.
/// </summary>
public sealed record KafkaTransportDescriptor : TransportDescriptor
{
    /// <summary>The transport type name, <c>kafka</c>.</summary>
    public const string TypeName = "kafka";

    /// <summary>The FastScore default of <see cref="MaxWaitTime"/> (0x7FFFFF).</summary>
    public const long DefaultMaxWaitTime = 8388607;

    private static readonly string[] s_secretConfigWords = ["password", "secret", "sasl.jaas", "ssl.key"];

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>Gets the bootstrap servers, each <c>host:port</c>.</summary>
    public required IReadOnlyList<string> BootstrapServers { get; init; }

    /// <summary>Gets the topic.</summary>
    public required string Topic { get; init; }

    /// <summary>Gets the partition read when no <see cref="Group"/> is set.</summary>
    /// <value>The default value is 0.</value>
    public int Partition { get; init; }

    /// <summary>Gets how long, in milliseconds, the input waits without records before end of stream; <see langword="null"/> waits forever.</summary>
    /// <value>The default value is 8388607 (FastScore's default; the unit, unknown in FastScore, is milliseconds here: see docs/descriptors.md).</value>
    public long? MaxWaitTime { get; init; } = DefaultMaxWaitTime;

    /// <summary>Gets the consumer group, or <see langword="null"/>.</summary>
    public string? Group { get; init; }

    /// <summary>Gets a value indicating whether offsets are committed.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CommitOffset { get; init; } = true;

    /// <summary>Gets the Kerberos principal, or <see langword="null"/>.</summary>
    public string? Principal { get; init; }

    /// <summary>Gets the Kerberos keytab path, or <see langword="null"/>.</summary>
    public string? Keytab { get; init; }

    /// <summary>Gets librdkafka settings passed through unchanged (security.protocol, sasl.*, ssl.*, ...).</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => true;

    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <summary>Compares every field; lists and <see cref="Config"/> are compared by content.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same transport.</returns>
    public bool Equals(KafkaTransportDescriptor? other) =>
        other is not null
        && base.Equals(other)
        && BootstrapServers.SequenceEqual(other.BootstrapServers, StringComparer.Ordinal)
        && Topic == other.Topic
        && Partition == other.Partition
        && MaxWaitTime == other.MaxWaitTime
        && Group == other.Group
        && CommitOffset == other.CommitOffset
        && Principal == other.Principal
        && Keytab == other.Keytab
        && Config.Count == other.Config.Count
        && Config.All(e => other.Config.TryGetValue(e.Key, out string? value) && value == e.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Topic, Partition, Group, BootstrapServers.Count, Config.Count);

    /// <summary>Gets whether a <see cref="Config"/> key holds a secret (masked in what <c>stream verify</c> prints).</summary>
    /// <param name="key">The librdkafka setting name.</param>
    /// <returns><see langword="true"/> for passwords, secrets, <c>sasl.jaas.*</c> and <c>ssl.key.*</c>.</returns>
    internal static bool IsSecretConfigKey(string key) => s_secretConfigWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase));

    /// <summary>Gets where an input starts when no SkipToRecord is given: the earliest record when looping, otherwise the latest.</summary>
    /// <param name="loops">The descriptor's Loop.</param>
    /// <returns>The position.</returns>
    protected override RecordPosition? DefaultStartPosition(bool loops) => loops ? RecordPosition.Earliest : RecordPosition.Latest;

    /// <inheritdoc />
    protected override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (BootstrapServers is null || BootstrapServers.Count == 0)
        {
            errors.Add("BootstrapServers", "must list at least one \"host:port\" server, e.g. [\"kafka:9092\"]; found an empty list.");
        }
        else
        {
            for (int i = 0; i < BootstrapServers.Count; i++)
            {
                HostPort(BootstrapServers[i], DescriptorErrors.Item("BootstrapServers", i), errors);
            }
        }

        if (Topic is null)
        {
            errors.Add("Topic", "required field is missing; set Topic.");
        }
        else if (!IsTopic(Topic))
        {
            errors.Add("Topic", $"must be a Kafka topic name (1 to 249 characters: letters, digits, '.', '_', '-'); found {DescriptorErrors.Quote(Topic)}.");
        }

        if (Partition < 0)
        {
            errors.Add("Partition", $"must be a non-negative integer; found {Partition.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (MaxWaitTime is < 0)
        {
            errors.Add("MaxWaitTime", $"must be a non-negative number of milliseconds or null; found {MaxWaitTime.Value.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (Group is { Length: 0 })
        {
            errors.Add("Group", "must be a non-empty consumer group name or null; found \"\".");
        }

        if (string.IsNullOrEmpty(Principal) != string.IsNullOrEmpty(Keytab))
        {
            string missing = string.IsNullOrEmpty(Principal) ? "Principal" : "Keytab";
            string given = missing == "Principal" ? "Keytab" : "Principal";
            errors.Add(missing, $"Kerberos needs both Principal and Keytab; found {given} without {missing}.");
        }

        var named = new Dictionary<string, string>(StringComparer.Ordinal); // setting → the key that named it first
        foreach (string key in (Config ?? new Dictionary<string, string>()).Keys.Order(StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                errors.Add("Config", "setting names must be non-empty; found \"\".");
            }
            else if (!named.TryAdd(KafkaConfigKeys.Canonical(key), key))
            {
                errors.Add(DescriptorErrors.Key("Config", key), $"{KafkaConfigKeys.WhySame(named[KafkaConfigKeys.Canonical(key)], key)}; give each librdkafka setting once.");
            }
        }
    }

    /// <summary>Writes the fields; <see cref="Config"/> values of secret keys are masked in the display forms, and secrets inside the others.</summary>
    /// <param name="writer">The writer.</param>
    protected override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStrings("BootstrapServers", BootstrapServers);
        writer.WriteString("Topic", Topic);
        writer.WriteNumber("Partition", Partition);
        writer.WriteNumber("MaxWaitTime", MaxWaitTime);
        writer.WriteString("Group", Group);
        writer.WriteBoolean("CommitOffset", CommitOffset);
        writer.WriteString("Principal", Principal);
        writer.WriteString("Keytab", Keytab);
        writer.WriteMap("Config", Config, IsSecretConfigKey);
    }

    private static bool IsTopic(string topic)
    {
        if (topic.Length is 0 or > 249 || topic is "." or "..")
        {
            return false;
        }

        foreach (char c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static void HostPort(string? text, string field, DescriptorErrors errors)
    {
        bool ok = !string.IsNullOrWhiteSpace(text);
        if (ok)
        {
            int colon = text!.LastIndexOf(':');
            bool bracketed = text.StartsWith('[');
            ok = colon > 0 && (!bracketed || text.IndexOf(']', StringComparison.Ordinal) < colon)
                && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535;
        }

        if (!ok)
        {
            errors.Add(field, $"must be \"host:port\", e.g. \"kafka:9092\"; found {DescriptorErrors.Quote(text ?? string.Empty)}.");
        }
    }
}
