using System.IO.Pipelines;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Transports;

/// <summary>
/// The input side of a transport. Two shapes exist: <see cref="ByteInputTransport"/> (a byte stream cut into
/// records by the envelope: file, S3, HTTP, TCP, exec) and <see cref="MessageInputTransport"/> (each message is one
/// record: Kafka, REST simple, UDP, inline arrays).
/// </summary>
public abstract class InputTransport : IAsyncDisposable
{
    /// <summary>Gets a value indicating whether the transport can start at an offset or rewind (SkipTo, SkipToRecord, Loop).</summary>
    public virtual bool CanSeek => false;

    /// <summary>Gets a human-readable description of the source for messages (never containing secrets).</summary>
    public virtual string DisplayName => GetType().Name;

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }
}

/// <summary>An input that delivers a byte stream; the stream's envelope cuts it into records.</summary>
public abstract class ByteInputTransport : InputTransport
{
    /// <summary>Opens the byte stream at a byte offset. Called once at start, and again to rewind when the stream loops.</summary>
    /// <param name="offset">The byte offset to start at (0, or the descriptor's SkipTo).</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>A reader over the bytes; the caller completes it when done.</returns>
    /// <exception cref="NotSupportedException"><paramref name="offset"/> is not 0 and <see cref="InputTransport.CanSeek"/> is false.</exception>
    public abstract ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken);
}

/// <summary>An input whose messages are records (boundaries preserved by the transport).</summary>
public abstract class MessageInputTransport : InputTransport
{
    /// <summary>Opens the input at a record position (null: the transport's default). Called once at start, and again to rewind when looping.</summary>
    /// <param name="position">Where to start.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>A task that completes when the input is open.</returns>
    public abstract ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken);

    /// <summary>
    /// Gets a value indicating whether the transport wants <see cref="AcknowledgeAsync"/> calls. When
    /// <see langword="false"/> (REST: the caller already has its answer), the engine does not flush every output before
    /// acknowledging this input, which saves a flush per batch on the on-demand path.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public virtual bool RequiresAcknowledgement => true;

    /// <summary>
    /// Waits for at least one message and appends every message available now (up to <paramref name="maxMessages"/>) to
    /// <paramref name="batch"/>. Message bytes are copied by the caller before the next call.
    /// </summary>
    /// <param name="batch">Receives the messages.</param>
    /// <param name="maxMessages">The most messages to append.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="false"/> at end of stream (nothing appended).</returns>
    public abstract ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken);

    /// <summary>
    /// Acknowledges that every message up to and including <paramref name="upTo"/>'s position has been fully processed
    /// and its outputs delivered (at-least-once: Kafka commits offsets here). The default does nothing.
    /// </summary>
    /// <param name="upTo">The last processed message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when acknowledged.</returns>
    public virtual ValueTask AcknowledgeAsync(InputMessage upTo, CancellationToken cancellationToken) => default;

    /// <summary>
    /// Gets a value indicating whether callers wait for some of this input's records (on-demand scoring: the REST round
    /// trip), so the engine asks <see cref="FindReply"/> for each record. The engine looks once, when the stream opens;
    /// when <see langword="false"/> (the default) its batches take the engine's plain path, with no reply handling at all.
    /// </summary>
    protected internal virtual bool AnswersCallers => false;

    /// <summary>
    /// Gets the caller waiting for a record (called only when <see cref="AnswersCallers"/> is <see langword="true"/>, on the
    /// engine's task, for every record of this input): the engine then hands the record's outputs to the reply's slot, its
    /// rejection or its model error to the reply instead of the slot's stream. The default returns <see langword="null"/>.
    /// </summary>
    /// <param name="metadata">The metadata of the record's message (a transport usually carries the reply in a subclass of its own).</param>
    /// <returns>The reply, or <see langword="null"/> when nobody waits for this record.</returns>
    protected internal virtual Engine.RecordReply? FindReply(MessageMetadata? metadata) => null;
}

/// <summary>One message read from a <see cref="MessageInputTransport"/>.</summary>
/// <param name="Payload">The record's bytes (valid until the next read).</param>
/// <param name="Metadata">Transport metadata (Kafka key, headers, topic, partition, offset...), or <see langword="null"/>.</param>
public readonly record struct InputMessage(ReadOnlyMemory<byte> Payload, MessageMetadata? Metadata = null);

/// <summary>Transport metadata of a message, reachable by the model and used for acknowledgements and error reports.</summary>
public class MessageMetadata
{
    /// <summary>Gets or sets where the message came from, for error reports (e.g. <c>topic/partition@offset</c>).</summary>
    public string? Position { get; init; }

    /// <summary>Gets or sets the message key, if any.</summary>
    public ReadOnlyMemory<byte>? Key { get; init; }

    /// <summary>Gets or sets the message headers, if any.</summary>
    public IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? Headers { get; init; }

    /// <summary>Gets or sets a transport-specific acknowledgement token (e.g. a Kafka TopicPartitionOffset).</summary>
    public object? Token { get; init; }

    /// <summary>
    /// Gets the message's position as named values, for reject documents (Kafka: <c>topic</c>, <c>partition</c>,
    /// <c>offset</c>). Values are <see cref="int"/>, <see cref="long"/> or text.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: only <see cref="Position"/> is reported.</value>
    public virtual IReadOnlyList<KeyValuePair<string, object>>? PositionFields => null;
}
