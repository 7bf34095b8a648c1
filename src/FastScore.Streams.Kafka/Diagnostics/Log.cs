using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Kafka.Diagnostics;

/// <summary>Every log message of the Kafka package (event ids 100–199). Record payloads are never logged.</summary>
internal static partial class Log
{
    public const string Category = "FastScore.Streams.Kafka";

    [LoggerMessage(EventId = 100, EventName = "KafkaInputOpened", Level = LogLevel.Information, Message = "Stream {Stream}: consuming {Source} from {Start}")]
    public static partial void InputOpened(ILogger logger, string stream, string source, string start);

    [LoggerMessage(EventId = 101, EventName = "KafkaConsumeError", Level = LogLevel.Warning, Message = "Stream {Stream}: consume error {Code}: {Reason} (fatal: {Fatal})")]
    public static partial void ConsumeError(ILogger logger, string stream, string code, string reason, bool fatal);

    [LoggerMessage(EventId = 102, EventName = "KafkaClientError", Level = LogLevel.Warning, Message = "Stream {Stream}: client error {Code}: {Reason} (fatal: {Fatal})")]
    public static partial void ClientError(ILogger logger, string stream, string code, string reason, bool fatal);

    [LoggerMessage(EventId = 103, EventName = "KafkaPartitionsAssigned", Level = LogLevel.Information, Message = "Stream {Stream}: partitions assigned: {Partitions}")]
    public static partial void PartitionsAssigned(ILogger logger, string stream, string partitions);

    [LoggerMessage(EventId = 104, EventName = "KafkaPartitionsRevoked", Level = LogLevel.Information, Message = "Stream {Stream}: partitions revoked: {Partitions}")]
    public static partial void PartitionsRevoked(ILogger logger, string stream, string partitions);

    [LoggerMessage(EventId = 105, EventName = "KafkaPartitionsLost", Level = LogLevel.Warning, Message = "Stream {Stream}: partitions lost (not committed; their records will be read again): {Partitions}")]
    public static partial void PartitionsLost(ILogger logger, string stream, string partitions);

    [LoggerMessage(EventId = 106, EventName = "KafkaOffsetsCommitted", Level = LogLevel.Debug, Message = "Stream {Stream}: committed {Offsets}")]
    public static partial void Committed(ILogger logger, string stream, string offsets);

    [LoggerMessage(EventId = 107, EventName = "KafkaCommitFailed", Level = LogLevel.Warning, Message = "Stream {Stream}: committing {Offsets} failed, will retry: {Reason}")]
    public static partial void CommitFailed(ILogger logger, string stream, string offsets, string reason);

    [LoggerMessage(EventId = 108, EventName = "KafkaDeliveryFailed", Level = LogLevel.Error, Message = "Stream {Stream}: delivery to {Destination} failed: {Code}: {Reason}")]
    public static partial void DeliveryFailed(ILogger logger, string stream, string destination, string code, string reason);

    [LoggerMessage(EventId = 109, EventName = "KafkaClientLog", Message = "Stream {Stream}: librdkafka {Facility}: {Message}")]
    public static partial void ClientLog(ILogger logger, LogLevel level, string stream, string facility, string message);

    [LoggerMessage(EventId = 110, EventName = "KafkaCloseFailed", Level = LogLevel.Warning, Message = "Stream {Stream}: closing the Kafka client failed: {Reason}")]
    public static partial void CloseFailed(ILogger logger, string stream, string reason);

    [LoggerMessage(EventId = 111, EventName = "KafkaCommitDeferred", Level = LogLevel.Debug, Message = "Stream {Stream}: committing {Offsets} deferred by a rebalance, will retry: {Reason}")]
    public static partial void CommitDeferred(ILogger logger, string stream, string offsets, string reason);

    [LoggerMessage(EventId = 112, EventName = "KafkaBrokersUnreachable", Level = LogLevel.Warning,
        Message = "Stream {Stream}: cannot reach the Kafka brokers {Brokers}: {Reason}. Retrying; records wait until a broker answers")]
    public static partial void BrokersUnreachable(ILogger logger, string stream, string brokers, string reason);

    [LoggerMessage(EventId = 113, EventName = "KafkaClientErrorRepeated", Level = LogLevel.Debug, Message = "Stream {Stream}: client error {Code} again: {Reason}")]
    public static partial void ClientErrorRepeated(ILogger logger, string stream, string code, string reason);

    [LoggerMessage(EventId = 114, EventName = "KafkaCloseAbandoned", Level = LogLevel.Warning,
        Message = "Stream {Stream}: closing the Kafka {Client} did not finish within {Seconds} s (brokers unreachable?); it goes on in the background and the stream is released")]
    public static partial void CloseAbandoned(ILogger logger, string stream, string client, double seconds);

    /// <summary>librdkafka's log level for a forwarded line; connection failures (facility FAIL) repeat every few hundred ms and are reported, throttled, by <see cref="KafkaClientErrors"/>.</summary>
    public static LogLevel ToLogLevel(Confluent.Kafka.LogMessage message) =>
        message.Facility == "FAIL" ? LogLevel.Debug : ToLogLevel(message.Level);

    public static LogLevel ToLogLevel(Confluent.Kafka.SyslogLevel level) => level switch
    {
        Confluent.Kafka.SyslogLevel.Emergency or Confluent.Kafka.SyslogLevel.Alert or Confluent.Kafka.SyslogLevel.Critical or Confluent.Kafka.SyslogLevel.Error => LogLevel.Error,
        Confluent.Kafka.SyslogLevel.Warning => LogLevel.Warning,
        Confluent.Kafka.SyslogLevel.Notice or Confluent.Kafka.SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
