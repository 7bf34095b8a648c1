namespace FastScore.Streams.Kafka;

/// <summary>
/// Names of librdkafka settings in a Kafka descriptor's <c>Config</c>: two keys that name the same setting (the same
/// name in another letter case, or one of librdkafka's aliases such as <c>linger.ms</c> for
/// <c>queue.buffering.max.ms</c>) are a descriptor error, since only one of the values could win.
/// </summary>
internal static class KafkaConfigKeys
{
    /// <summary>librdkafka's aliases (CONFIGURATION.md, "Alias for"), alias → the setting it names.</summary>
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bootstrap.servers"] = "metadata.broker.list",
        ["max.in.flight"] = "max.in.flight.requests.per.connection",
        ["sasl.mechanism"] = "sasl.mechanisms",
        ["linger.ms"] = "queue.buffering.max.ms",
        ["retries"] = "message.send.max.retries",
        ["compression.type"] = "compression.codec",
        ["max.partition.fetch.bytes"] = "fetch.message.max.bytes",
        ["acks"] = "request.required.acks",
        ["delivery.timeout.ms"] = "message.timeout.ms",
    };

    /// <summary>The setting a key names: lower case, aliases resolved.</summary>
    public static string Canonical(string key)
    {
        string trimmed = key.Trim();
        return s_aliases.TryGetValue(trimmed, out string? target) ? target : trimmed.ToLowerInvariant();
    }

    /// <summary>Says why two keys name the same setting, for the error message.</summary>
    public static string WhySame(string first, string second)
    {
        if (first.Equals(second, StringComparison.Ordinal))
        {
            return "given twice";
        }

        if (first.Trim().Equals(second.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return $"given twice (as '{first}' and '{second}')";
        }

        string alias = s_aliases.ContainsKey(first.Trim()) ? first : second;
        return $"names the same librdkafka setting as '{first}' (librdkafka reads '{alias}' as '{Canonical(alias)}')";
    }
}
