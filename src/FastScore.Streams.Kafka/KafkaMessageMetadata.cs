using System.Globalization;
using Confluent.Kafka;
using FastScore.Streams.Transports;
using MessageMetadata = FastScore.Streams.Transports.MessageMetadata;

namespace FastScore.Streams.Kafka;

/// <summary>
/// The metadata of a record read from Kafka: key, headers and <c>topic/partition@offset</c> (from
/// <see cref="MessageMetadata"/>), plus the topic, partition, offset and timestamp as typed values.
/// </summary>
/// <remarks>
/// A per-record model reads it from its <c>RecordContext.Metadata</c>:
/// <code>
/// if (context.Metadata is KafkaMessageMetadata kafka) { string? key = kafka.KeyAsString(); ... }
/// </code>
/// <see cref="MessageMetadata.Token"/> is the record's Confluent <see cref="TopicPartitionOffset"/>.
/// Instances are immutable and safe to keep.
/// </remarks>
public sealed class KafkaMessageMetadata : MessageMetadata
{
    private readonly long _timestampMs;
    private readonly TimestampType _timestampType;

    internal KafkaMessageMetadata(object source, string topic, int partition, long offset, Timestamp timestamp,
        byte[]? key, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? headers)
    {
        Source = source;
        Topic = topic;
        Partition = partition;
        Offset = offset;
        _timestampMs = timestamp.UnixTimestampMs;
        _timestampType = timestamp.Type;
        Position = FormatPosition(topic, partition, offset);
        Key = key;
        Headers = headers;
        Token = new TopicPartitionOffset(topic, partition, offset);
    }

    /// <summary>Gets the topic the record was read from.</summary>
    public string Topic { get; }

    /// <summary>Gets the partition the record was read from.</summary>
    public int Partition { get; }

    /// <summary>Gets the record's offset in its partition.</summary>
    public long Offset { get; }

    /// <summary>Gets the record's topic, partition and offset, for reject documents.</summary>
    public override IReadOnlyList<KeyValuePair<string, object>>? PositionFields =>
        [new("topic", Topic), new("partition", Partition), new("offset", Offset)];

    /// <summary>Gets the record's timestamp (create time or log-append time), or <see langword="null"/> when the broker gave none.</summary>
    public DateTimeOffset? Timestamp => _timestampType == TimestampType.NotAvailable ? null : DateTimeOffset.FromUnixTimeMilliseconds(_timestampMs);

    /// <summary>Gets the transport that read the record (acknowledgements from another transport are ignored).</summary>
    internal object Source { get; }

    /// <summary>Gets the consumer's revocation count when the message was fetched (read-ahead of revoked partitions is dropped).</summary>
    internal int Epoch { get; init; }

    /// <summary>Gets or sets, on the last message of each read, the next offset of every partition delivered so far.</summary>
    internal KeyValuePair<int, long>[]? AckOffsets { get; set; }

    /// <summary>Returns the key decoded as UTF-8, or <see langword="null"/> when the record has no key.</summary>
    /// <returns>The key text.</returns>
    public string? KeyAsString() => Key is { } key ? System.Text.Encoding.UTF8.GetString(key.Span) : null;

    /// <summary>Returns the last header named <paramref name="name"/> decoded as UTF-8, or <see langword="null"/> when absent.</summary>
    /// <param name="name">The header name (case-sensitive, as in Kafka).</param>
    /// <returns>The header value text.</returns>
    public string? HeaderAsString(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Headers is null)
        {
            return null;
        }

        for (int i = Headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Headers[i].Key, name, StringComparison.Ordinal))
            {
                return System.Text.Encoding.UTF8.GetString(Headers[i].Value.Span);
            }
        }

        return null;
    }

    /// <summary>Formats a record position the way error reports show it: <c>topic/partition@offset</c>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset.</param>
    /// <returns>The position text.</returns>
    public static string FormatPosition(string topic, int partition, long offset) =>
        string.Create(CultureInfo.InvariantCulture, $"{topic}/{partition}@{offset}");
}
