using Confluent.Kafka;

namespace FastScore.Streams.Kafka;

/// <summary>
/// Host-wide settings of the <c>kafka</c> transport. Per-stream settings (servers, topic, group, librdkafka
/// <c>Config</c>) live in the stream descriptor; these options apply to every Kafka stream of the host.
/// </summary>
/// <remarks>
/// The configuration hooks run last, after the descriptor's fields and its <c>Config</c> object have been applied, so
/// they can override anything, including the settings the transport relies on for at-least-once delivery
/// (<c>enable.auto.commit=false</c>, <c>enable.idempotence=true</c>, <c>acks=all</c>). Use them with care.
/// </remarks>
public sealed class KafkaTransportOptions
{
    /// <summary>Gets or sets a hook that changes every consumer's configuration before the consumer is built.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<ConsumerConfig>? ConfigureConsumer { get; set; }

    /// <summary>Gets or sets a hook that changes every producer's configuration before the producer is built.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<ProducerConfig>? ConfigureProducer { get; set; }

    /// <summary>
    /// Gets or sets how many messages an input reads ahead of the stream (its prefetch buffer, in chunks of up to 512
    /// messages). When the buffer is full the consumer thread waits: backpressure.
    /// </summary>
    /// <value>The default value is 4096.</value>
    public int MaxBufferedMessages { get; set; } = 4096;

    /// <summary>
    /// Gets or sets a value indicating whether librdkafka's own log lines (connection errors, rebalances...) are
    /// forwarded to the <c>FastScore.Streams.Kafka</c> logger.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ForwardClientLogs { get; set; } = true;

    /// <summary>
    /// Gets or sets how long disposing a stream waits for its Kafka client to close: an input commits what was
    /// acknowledged and leaves its group, an output abandons what is still queued. With the brokers unreachable a
    /// consumer's last commit can wait up to <c>session.timeout.ms</c> (45 s); past this limit the close goes on in the
    /// background, the stream is released, and what was not committed is read again by the next reader.
    /// </summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
