using Confluent.Kafka;
using FastScore.Streams.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Kafka;

/// <summary>
/// Reports librdkafka's client errors of one stream without flooding the log: librdkafka repeats a connection failure on
/// every reconnect attempt (several times a second). Brokers that cannot be reached (a host that does not resolve, a
/// refused connection, every broker down) become one <c>KafkaBrokersUnreachable</c> warning naming the configured
/// brokers; other non-fatal errors are logged once per code. Both repeat at most once a minute while they last
/// (in between at Debug level). Fatal errors are always logged.
/// </summary>
internal sealed class KafkaClientErrors(ILogger logger, string streamName, IReadOnlyList<string> brokers, TimeProvider time)
{
    private static readonly TimeSpan s_repeatAfter = TimeSpan.FromMinutes(1);
    private readonly Dictionary<ErrorCode, long> _lastLogged = [];
    private readonly string _brokers = string.Join(",", brokers);

    /// <summary>Logs one error reported by librdkafka's error callback.</summary>
    public void Report(Error error)
    {
        if (error.IsFatal)
        {
            Log.ClientError(logger, streamName, error.Code.ToString(), error.Reason, fatal: true);
            return;
        }

        bool unreachable = IsUnreachable(error);
        ErrorCode key = unreachable ? ErrorCode.Local_AllBrokersDown : error.Code;
        long now = time.GetTimestamp();
        lock (_lastLogged)
        {
            if (_lastLogged.TryGetValue(key, out long last) && time.GetElapsedTime(last, now) < s_repeatAfter)
            {
                Log.ClientErrorRepeated(logger, streamName, error.Code.ToString(), error.Reason);
                return;
            }

            _lastLogged[key] = now;
        }

        if (unreachable)
        {
            Log.BrokersUnreachable(logger, streamName, _brokers, error.Reason);
        }
        else
        {
            Log.ClientError(logger, streamName, error.Code.ToString(), error.Reason, fatal: false);
        }
    }

    /// <summary>
    /// A broker that cannot be reached: its name does not resolve, the connection is refused or times out, or every
    /// broker is down. A connection closed after it was up ("Disconnected", e.g. an idle connection closed by the
    /// broker) is not: librdkafka reconnects, and reports a failure to reconnect as one of the above.
    /// </summary>
    public static bool IsUnreachable(Error error) =>
        error.Code is ErrorCode.Local_Resolve or ErrorCode.Local_AllBrokersDown
        || (error.Code == ErrorCode.Local_Transport && !error.Reason.Contains("Disconnected", StringComparison.Ordinal));
}
