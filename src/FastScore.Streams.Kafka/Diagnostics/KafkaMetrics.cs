using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FastScore.Streams.Kafka.Diagnostics;

/// <summary>
/// The Kafka transport's instruments (Meter <c>FastScore.Streams.Kafka</c>): <c>messaging.kafka.consumer.lag</c>, per
/// partition of every open Kafka input, the partition's high watermark minus the consumer's position (Kafka's
/// <c>records-lag</c>). Computed on the consumer's own thread, once per fetched chunk and when the consumer is idle, and
/// only while a listener is subscribed.
/// </summary>
internal static class KafkaMetrics
{
    public const string MeterName = "FastScore.Streams.Kafka";

    private static readonly ConcurrentDictionary<KafkaInputTransport, byte> s_inputs = new();

    static KafkaMetrics()
    {
        Meter = new Meter(MeterName);
        Lag = Meter.CreateObservableGauge("messaging.kafka.consumer.lag", Measure, "{message}",
            "Messages in a partition after the consumer's position: the high watermark minus the position (records-lag).");
    }

    public static Meter Meter { get; }

    public static ObservableGauge<long> Lag { get; }

    public static void Register(KafkaInputTransport input) => s_inputs.TryAdd(input, 0);

    public static void Unregister(KafkaInputTransport input) => s_inputs.TryRemove(input, out _);

    private static IEnumerable<Measurement<long>> Measure()
    {
        foreach (KafkaInputTransport input in s_inputs.Keys)
        {
            foreach (Measurement<long> m in input.LagMeasurements())
            {
                yield return m;
            }
        }
    }
}
