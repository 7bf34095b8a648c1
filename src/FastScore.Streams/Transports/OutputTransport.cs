using System.IO.Pipelines;

namespace FastScore.Streams.Transports;

/// <summary>
/// The output side of a transport: <see cref="ByteOutputTransport"/> (bytes framed by the envelope: file, S3, TCP,
/// exec, console) or <see cref="MessageOutputTransport"/> (one message per record: Kafka, REST, discard).
/// </summary>
public abstract class OutputTransport : IAsyncDisposable
{
    /// <summary>Gets a human-readable description of the destination (never containing secrets).</summary>
    public virtual string DisplayName => GetType().Name;

    /// <summary>Opens the output.</summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>A task that completes when the output is open.</returns>
    public abstract ValueTask OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes everything written so far durable or acknowledged (file: flushed and fsync'd; Kafka: delivery reports
    /// received). Inputs are acknowledged only after this completes (at-least-once).
    /// </summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when durable.</returns>
    public abstract ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>Closes the output successfully: flushes and finalises (S3: completes the multipart upload).</summary>
    /// <param name="cancellationToken">Cancels closing (an incomplete output is then aborted by <see cref="DisposeAsync"/>).</param>
    /// <returns>A task that completes when closed.</returns>
    public abstract ValueTask CompleteAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Gets a value indicating whether the output confirms the delivery of each record it is given (Kafka: the brokers'
    /// acknowledgements). Such an output accounts for every record passed to it: the stream counts a batch as written when
    /// it hands it over, and the output reports in <see cref="UndeliveredRecords"/> each record it did not deliver (also
    /// those of a write that failed part way). Otherwise a batch counts as written once its write has returned.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public virtual bool ConfirmsDelivery => false;

    /// <summary>
    /// Gets how many records written to this output are known not to have reached their destination: their delivery
    /// failed, or they were still waiting for an acknowledgement when the output was disposed without being completed.
    /// Outputs that confirm each record's delivery (<see cref="ConfirmsDelivery"/>) override it; the stream's
    /// <see cref="StreamCounters.Records"/> leaves these records out and counts them in <see cref="StreamCounters.Undelivered"/>.
    /// </summary>
    /// <value>The default value is 0: what is written is delivered, or the stream fails.</value>
    public virtual long UndeliveredRecords => 0;

    /// <summary>Gets the bytes of the records counted by <see cref="UndeliveredRecords"/>.</summary>
    /// <value>The default value is 0.</value>
    public virtual long UndeliveredBytes => 0;

    /// <summary>
    /// Gets a value indicating whether the output is all or nothing: disposed without being completed, nothing written
    /// to it remains (S3: the multipart upload is aborted and no object appears). Every record of such an output that
    /// was not completed is counted as undelivered.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: what was written stays written (a file keeps its lines).</value>
    public virtual bool IsAtomic => false;

    /// <summary>Releases resources; an output that was not completed is aborted (no partial S3 object).</summary>
    /// <returns>A task that completes when released.</returns>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }
}

/// <summary>An output that receives a byte stream; the stream's envelope frames records into it.</summary>
public abstract class ByteOutputTransport : OutputTransport
{
    /// <summary>Gets the writer that framed bytes go to (valid after <see cref="OutputTransport.OpenAsync"/>).</summary>
    public abstract PipeWriter Writer { get; }
}

/// <summary>An output that sends each record as one message.</summary>
public abstract class MessageOutputTransport : OutputTransport
{
    /// <summary>Sends a batch of records. The bytes are only valid during the call (copy them if kept).</summary>
    /// <param name="messages">The encoded records, in order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the batch is handed to the transport (not necessarily acknowledged; see <see cref="OutputTransport.FlushAsync"/>).</returns>
    public abstract ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Sends a batch of records, some with message headers (a rejects stream's reason, a propagated trace context). A
    /// transport that carries headers (Kafka) overrides it; the default sends the records without their headers.
    /// </summary>
    /// <param name="messages">The encoded records, in order.</param>
    /// <param name="headers">Each record's headers (same index as <paramref name="messages"/>), or null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the batch is handed to the transport.</returns>
    public virtual ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>?> headers, CancellationToken cancellationToken) =>
        WriteAsync(messages, cancellationToken);
}
