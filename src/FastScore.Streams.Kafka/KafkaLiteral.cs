using System.Globalization;
using System.Text.Json;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Kafka;

/// <summary>
/// The <c>kafka:</c> stream literal:
/// <c>kafka:broker[:port][,broker[:port]...]/topic[.ext][?group=G&amp;start=S&amp;partition=P&amp;maxwait=MS]</c>.
/// FastScore's form (<c>kafka:broker:9092/topic.json</c>) is unchanged; the query names what a descriptor would say in
/// <c>Group</c>, <c>SkipToRecord</c>, <c>Partition</c> and <c>MaxWaitTime</c>. See docs/kafka.md.
/// </summary>
internal sealed class KafkaLiteral
{
    /// <summary>The query parameters, in the order they are documented.</summary>
    public static readonly IReadOnlyList<string> Parameters = ["group", "start", "partition", "maxwait"];

    /// <summary>The example shown when a literal is malformed.</summary>
    public const string Example = "kafka:broker:9092/topic.json?group=scorers&start=earliest";

    private KafkaLiteral(IReadOnlyList<string> brokers, string topic, string source)
    {
        Brokers = brokers;
        Topic = topic;
        Source = source;
    }

    /// <summary>Gets the brokers, <c>host:port</c> (port 9092 when not given).</summary>
    public IReadOnlyList<string> Brokers { get; }

    /// <summary>Gets the topic, its extension removed.</summary>
    public string Topic { get; }

    /// <summary>Gets the topic as written (with its extension): the encoding is guessed from it.</summary>
    public string Source { get; }

    /// <summary>Gets the consumer group (<c>group=</c>), or null.</summary>
    public string? Group { get; private init; }

    /// <summary>Gets where an input starts (<c>start=</c>): <c>"earliest"</c>, <c>"latest"</c> or an offset; null when not given.</summary>
    public string? Start { get; private init; }

    /// <summary>Gets the partition (<c>partition=</c>), or null.</summary>
    public int? Partition { get; private init; }

    /// <summary>Gets <c>maxwait=</c>: milliseconds, -1 for <c>none</c> (MaxWaitTime null: the input never ends), or null when not given.</summary>
    public long? MaxWait { get; private init; }

    /// <summary>Parses what follows <c>kafka:</c>.</summary>
    /// <param name="literal">The whole literal (for messages).</param>
    /// <param name="rest">What follows <c>kafka:</c>.</param>
    /// <exception cref="DescriptorException">The literal is malformed; the message shows valid syntax.</exception>
    public static KafkaLiteral Parse(string literal, string rest)
    {
        string text = rest.StartsWith("//", StringComparison.Ordinal) ? rest[2..] : rest;
        string? query = null;
        int question = text.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            query = text[(question + 1)..];
            text = text[..question];
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            throw Fail(literal, "needs a broker and a topic");
        }

        var brokers = new List<string>();
        foreach (string part in text[..slash].Split(','))
        {
            string broker = part.Trim();
            if (broker.Length == 0)
            {
                throw Fail(literal, "has an empty broker in its list (brokers are separated by commas)");
            }

            if (broker.EndsWith(':'))
            {
                throw Fail(literal, "has an empty port");
            }

            brokers.Add(HasPort(broker) ? broker : broker + ":9092");
        }

        string source = text[(slash + 1)..];
        int dot = source.LastIndexOf('.');
        string topic = dot > 0 ? source[..dot] : source;
        var parsed = new KafkaLiteral(brokers, topic, source);
        return query is null ? parsed : parsed.WithQuery(literal, query);
    }

    /// <summary>Writes the <c>Transport</c> object.</summary>
    public void WriteTransport(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("Type", "Kafka");
        writer.WritePropertyName("BootstrapServers");
        writer.WriteStartArray();
        foreach (string broker in Brokers)
        {
            writer.WriteStringValue(broker);
        }

        writer.WriteEndArray();
        writer.WriteString(nameof(KafkaTransportDescriptor.Topic), Topic);
        if (Partition is { } partition)
        {
            writer.WriteNumber(nameof(KafkaTransportDescriptor.Partition), partition);
        }

        if (Group is not null)
        {
            writer.WriteString(nameof(KafkaTransportDescriptor.Group), Group);
        }

        if (MaxWait is { } maxWait)
        {
            if (maxWait < 0)
            {
                writer.WriteNull("MaxWaitTime");
            }
            else
            {
                writer.WriteNumber("MaxWaitTime", maxWait);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Sets the stream fields the literal gives beside <c>Transport</c> (<c>SkipToRecord</c> from <c>start=</c>).</summary>
    public void SetStreamFields(LiteralContext context)
    {
        if (Start is null)
        {
            return;
        }

        context.SetField("SkipToRecord", long.TryParse(Start, NumberStyles.None, CultureInfo.InvariantCulture, out long offset)
            ? offset.ToString(CultureInfo.InvariantCulture)
            : $"\"{Start}\""); // earliest or latest
    }

    private KafkaLiteral WithQuery(string literal, string query)
    {
        string? group = null;
        string? start = null;
        int? partition = null;
        long? maxWait = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string pair in query.Split('&'))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string name = (eq < 0 ? pair : pair[..eq]).Trim().ToLowerInvariant();
            string value = eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]);
            if (!Parameters.Contains(name))
            {
                throw Fail(literal, $"has an unknown parameter '{(eq < 0 ? pair : pair[..eq])}' (known: {string.Join(", ", Parameters)})");
            }

            if (!seen.Add(name))
            {
                throw Fail(literal, $"gives '{name}' twice");
            }

            if (value.Length == 0)
            {
                throw Fail(literal, $"gives no value for '{name}'");
            }

            switch (name)
            {
                case "group":
                    group = value;
                    break;
                case "start":
                    start = value.ToLowerInvariant() is "earliest" or "latest"
                        ? value.ToLowerInvariant()
                        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long offset)
                            ? offset.ToString(CultureInfo.InvariantCulture)
                            : throw Fail(literal, $"has start={value}; start is earliest, latest or an offset (a whole number, 0 or more)");
                    break;
                case "partition":
                    partition = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p)
                        ? p
                        : throw Fail(literal, $"has partition={value}; partition is a whole number, 0 or more");
                    break;
                default: // maxwait
                    maxWait = value.Equals("none", StringComparison.OrdinalIgnoreCase)
                        ? -1
                        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long ms)
                            ? ms
                            : throw Fail(literal, $"has maxwait={value}; maxwait is milliseconds (a whole number) or none (the input never ends)");
                    break;
            }
        }

        return new KafkaLiteral(Brokers, Topic, Source) { Group = group, Start = start, Partition = partition, MaxWait = maxWait };
    }

    /// <summary>Decodes <c>%xx</c> escapes (UTF-8), e.g. a group name with <c>&amp;</c> (<c>%26</c>); a <c>+</c> stays a <c>+</c>.</summary>
    private static string Decode(string value) => Uri.UnescapeDataString(value);

    private static bool HasPort(string broker)
    {
        int colon = broker.LastIndexOf(':');
        return colon > 0 && (broker[0] != '[' || broker.IndexOf(']', StringComparison.Ordinal) < colon);
    }

    private static DescriptorException Fail(string literal, string problem) =>
        new([new DescriptorError(string.Empty, $"'{literal}' {problem}; valid syntax: {Example}.")], $"literal '{literal}'");
}
