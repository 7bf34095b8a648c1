using Confluent.Kafka;

namespace FastScore.Streams.Kafka;

/// <summary>
/// A Kafka client failure, wrapped so that hosts catch <see cref="StreamException"/> only. The Confluent exception
/// stays reachable as <see cref="Exception.InnerException"/> (a <see cref="KafkaException"/> whose <c>Error</c> has the
/// code and reason).
/// </summary>
internal sealed class KafkaStreamException : StreamException
{
    private readonly bool _transient;

    public KafkaStreamException(string message, KafkaException innerException)
        : base(message, innerException) => _transient = IsTransientError(innerException.Error);

    public override bool IsTransient => _transient;

    /// <summary>Wraps a Confluent exception (or returns a <see cref="StreamException"/> unchanged).</summary>
    public static StreamException Wrap(string what, Exception exception, string streamName) => exception switch
    {
        StreamException stream => stream,
        KafkaException kafka => new KafkaStreamException($"{what}: {Describe(kafka.Error)}", kafka) { StreamName = streamName },
        _ => new StreamException($"{what}: {exception.Message}", exception) { StreamName = streamName },
    };

    /// <summary>
    /// Wraps a failure to build a client: librdkafka rejecting a setting (unknown property, invalid value) is a
    /// <see cref="Descriptors.DescriptorException"/> on <c>Transport.Config</c>; anything else is wrapped by <see cref="Wrap"/>.
    /// </summary>
    public static StreamException WrapBuild(string what, Exception exception, string streamName) => exception switch
    {
        InvalidOperationException or ArgumentException => new Descriptors.DescriptorException("Transport.Config",
            $"{exception.Message} ({what}; librdkafka rejected the client configuration)") { StreamName = streamName },
        _ => Wrap(what, exception, streamName),
    };

    public static string Describe(Error error) => $"{error.Code} ({error.Reason})";

    /// <summary>Whether retrying may succeed: broker, network and coordinator problems; not configuration, authorization or fatal errors.</summary>
    public static bool IsTransientError(Error error)
    {
        if (error.IsFatal)
        {
            return false;
        }

        return error.Code is ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_TimedOut
            or ErrorCode.Local_MsgTimedOut or ErrorCode.Local_QueueFull or ErrorCode.Local_WaitCoord or ErrorCode.Local_TimedOutQueue
            or ErrorCode.Local_Retry or ErrorCode.Local_Resolve or ErrorCode.RequestTimedOut or ErrorCode.NetworkException
            or ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderForPartition or ErrorCode.BrokerNotAvailable
            or ErrorCode.ReplicaNotAvailable or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
            or ErrorCode.GroupLoadInProgress or ErrorCode.GroupCoordinatorNotAvailable or ErrorCode.NotCoordinatorForGroup
            or ErrorCode.RebalanceInProgress or ErrorCode.ThrottlingQuotaExceeded or ErrorCode.KafkaStorageError
            or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.OffsetNotAvailable;
    }
}
