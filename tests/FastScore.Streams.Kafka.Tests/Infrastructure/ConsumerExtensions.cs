using Confluent.Kafka;

namespace FastScore.Streams.Kafka.Tests.Infrastructure;

/// <summary>Helpers for reading a known number of messages back in tests.</summary>
public static class ConsumerExtensions
{
    /// <summary>
    /// Consumes until <paramref name="count"/> messages have arrived, or fails the test after <paramref name="timeout"/>
    /// (a guard against hanging, not a timing assertion). Partition EOF events are skipped.
    /// </summary>
    public static List<ConsumeResult<TKey, TValue>> ConsumeExactly<TKey, TValue>(this IConsumer<TKey, TValue> consumer, int count, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        var results = new List<ConsumeResult<TKey, TValue>>(count);
        var deadline = DateTime.UtcNow + timeout;
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is { IsPartitionEOF: false })
            {
                results.Add(result);
            }
        }

        if (results.Count < count)
        {
            Assert.Fail($"Consumed {results.Count} of {count} messages within {timeout.TotalSeconds} s.");
        }

        return results;
    }
}
