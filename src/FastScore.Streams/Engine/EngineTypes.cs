using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Engine;

/// <summary>The states of a scoring engine (FastScore §6.2).</summary>
public enum EngineState
{
    /// <summary>The pipeline is incomplete: the model or a stream its slots need is missing.</summary>
    Init,
    /// <summary>Records are read, scored and written.</summary>
    Running,
    /// <summary>No processing (inputs stop when their buffers are full).</summary>
    Paused,
    /// <summary>Every input has reached end of stream; the model and outputs are finishing.</summary>
    Finishing,
    /// <summary>Inputs and outputs are at end of stream. Reset before reuse.</summary>
    Finished,
    /// <summary>An unrecoverable error; see <see cref="EngineInspection.Error"/>.</summary>
    Error,
}

/// <summary>What the engine does when the model throws.</summary>
public enum ModelErrorPolicy
{
    /// <summary>Report the error and stop in <see cref="EngineState.Error"/> (outputs already produced are flushed).</summary>
    Stop,
    /// <summary>Report the error, count it, skip the record and go on.</summary>
    Skip,
}

/// <summary>Settings of a <see cref="ScoringEngine"/>.</summary>
public sealed class EngineOptions
{
    /// <summary>Gets or sets what happens when the model throws.</summary>
    /// <value>The default value is <see cref="ModelErrorPolicy.Stop"/>.</value>
    public ModelErrorPolicy OnModelError { get; set; } = ModelErrorPolicy.Stop;

    /// <summary>
    /// Gets or sets the rejects stream: every rejected record (by encoding, by schema, for its size, or skipped after a
    /// model error under <see cref="ModelErrorPolicy.Skip"/>) is written to it once, as a JSON reject document (slot,
    /// stream, record number, position, kind, reason and the record itself; see docs/operations.md). Any output
    /// descriptor whose encoding carries JSON text (<c>json</c>, <c>utf-8</c>, <c>null</c>): a file, a Kafka topic (a
    /// dead-letter queue; the reason also goes in message headers), S3, discard. It is flushed with the outputs before
    /// inputs are acknowledged, so a record is acknowledged only once its reject is durable.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: rejected records are counted, logged and kept in <see cref="ScoringEngine.Inspect"/> only.</value>
    public Descriptors.StreamDescriptor? Rejects { get; set; }

    /// <summary>Gets or sets the clock used for NagleTime and acknowledgement intervals (a fake one makes tests deterministic).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets how often inputs are acknowledged (after flushing every output): Kafka offsets are committed at this pace.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan AcknowledgeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long a graceful stop (<see cref="ScoringEngine.StopAsync"/>, or cancelling
    /// <see cref="ScoringEngine.RunAsync"/>) may take beyond the outputs' <c>LingerTime</c>. A stop that has not finished
    /// <c>LingerTime + StopTimeout</c> after it was requested is abandoned: reading and scoring stop at once, outputs
    /// that were not completed are aborted (their unacknowledged records are counted as undelivered, not written), the
    /// run ends in <see cref="EngineState.Error"/> saying so, and closing the streams gets at most 5 more seconds.
    /// </summary>
    /// <value>The default value is 20 seconds: with the default LingerTime (3 s) a stop ends within 28 s, inside the
    /// 30 s that Kubernetes and systemd give a process between SIGTERM and SIGKILL. <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public TimeSpan StopTimeout
    {
        get => _stopTimeout;
        set => _stopTimeout = value >= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "StopTimeout must be zero or more, or Timeout.InfiniteTimeSpan.");
    }

    private TimeSpan _stopTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Gets or sets how many rejected records (of every slot) a run tolerates. The rejection that crosses the limit stops
    /// the run at once, gracefully: inputs stop reading, what was already read is scored and flushed, and the run ends in
    /// <see cref="EngineState.Error"/> (an output to which nothing was written is not completed: a file it created is removed).
    /// <see langword="null"/> sets no limit.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public long? MaxRejectedRecords { get; set; }

    /// <summary>
    /// Gets or sets the largest share of rejected records a run tolerates, in percent (0–100) of the records its inputs
    /// read (rejected ones included; rejections of every slot are counted). A share says little before the inputs end,
    /// so it is judged when the run ends (every input at its end, or stopped): above it, the run ends in
    /// <see cref="EngineState.Error"/> instead of <see cref="EngineState.Finished"/>, before the outputs are completed.
    /// <see langword="null"/> sets no limit.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public double? MaxRejectedPercent { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a run whose inputs read records and rejected every one of them (nothing
    /// was scored) ends in <see cref="EngineState.Error"/> instead of <see cref="EngineState.Finished"/>. Batch hosts
    /// (<c>fastscore run</c>) turn it on; a service whose callers were answered with their rejections has not failed.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FailWhenEveryRecordIsRejected { get; set; }

    /// <summary>Gets or sets how many recent rejected records and model errors are kept for <see cref="ScoringEngine.Inspect"/>.</summary>
    /// <value>The default value is 100.</value>
    public int MaxReports { get; set; } = 100;

    /// <summary>Gets or sets a value indicating whether the engine starts by itself once the model and every slot's stream are attached (as FastScore does).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AutoStart { get; set; } = true;

    /// <summary>Gets or sets how <c>{"$ref": name}</c> schemas resolve to Avro JSON.</summary>
    public Func<string, string?>? SchemaLookup { get; set; }

    /// <summary>Gets or sets the stream the <c>console</c> transport reads.</summary>
    internal Stream? ConsoleInput { get; set; }

    /// <summary>Gets or sets the stream the <c>console</c> transport writes.</summary>
    internal Stream? ConsoleOutput { get; set; }
}

/// <summary>An exception thrown by the model, as reported by the engine.</summary>
/// <param name="Slot">The input slot of the record.</param>
/// <param name="RecordNumber">The record's sequence number in its stream (0 for begin/end).</param>
/// <param name="Record">The record as text (truncated), or empty.</param>
/// <param name="Message">The exception's type and message.</param>
public sealed record ModelError(int Slot, long RecordNumber, string Record, string Message)
{
    /// <summary>Gets the exception's type and message; control characters are escaped (<see cref="Diagnostics.SafeText.EscapeControlCharacters"/>).</summary>
    public string Message { get; init; } = Diagnostics.SafeText.EscapeControlCharacters(Message);

    /// <inheritdoc />
    public override string ToString() => $"model error at slot {Slot} record {RecordNumber}: {Message} (record: {Record})";
}

/// <summary>A snapshot of one slot for <see cref="ScoringEngine.Inspect"/>.</summary>
/// <param name="Slot">The slot number.</param>
/// <param name="IsInput">Whether it is an input (even) slot.</param>
/// <param name="StreamName">The attached stream's name.</param>
/// <param name="Transport">The transport, safe to display.</param>
/// <param name="Descriptor">The attached descriptor.</param>
/// <param name="EndOfStream">Whether the stream is at end of stream: an input read and scored every record up to its end; an output was completed. An input that was stopped before its end is not (see <see cref="Stopped"/>).</param>
/// <param name="Records">Records read (input) or written (output).</param>
/// <param name="Bytes">Bytes of those records.</param>
/// <param name="RejectedByEncoding">Records rejected by encoding.</param>
/// <param name="RejectedBySchema">Records rejected by schema.</param>
/// <param name="Oversized">Records rejected or truncated for exceeding the maximum record size (already counted in <paramref name="RejectedByEncoding"/> or <paramref name="Records"/>).</param>
/// <param name="ModelErrors">Model errors on records of this (input) slot.</param>
/// <param name="PendingRecords">Records of this (input) slot waiting in a batch for a batch model (the batch closes at Watermark, NagleTime, a control record or end of stream).</param>
/// <remarks>Counters are totals for the slot: they include streams the slot's stream replaced, so they never go down during a run.</remarks>
public sealed record SlotInspection(int Slot, bool IsInput, string StreamName, string Transport, StreamDescriptor Descriptor, bool EndOfStream,
    long Records, long Bytes, long RejectedByEncoding, long RejectedBySchema, long Oversized, long ModelErrors, long PendingRecords)
{
    /// <summary>
    /// Gets the records written to this (output) slot that did not reach their destination: not counted in
    /// <see cref="Records"/> (see <see cref="StreamCounters.Undelivered"/>).
    /// </summary>
    public long Undelivered { get; init; }

    /// <summary>Gets a value indicating whether this input stopped reading (a graceful stop) before it reached its end: what it read was scored, but records after that point were never read.</summary>
    public bool Stopped { get; init; }
}

/// <summary>A snapshot of the engine: state, slots, counters and recent problems.</summary>
/// <param name="State">The state.</param>
/// <param name="ModelName">The model's name, or <see langword="null"/>.</param>
/// <param name="Slots">Every attached slot, in slot order.</param>
/// <param name="Rejections">The most recent rejected records.</param>
/// <param name="ModelErrors">The most recent model errors.</param>
/// <param name="Error">The error that put the engine in <see cref="EngineState.Error"/>, if any.</param>
public sealed record EngineInspection(EngineState State, string? ModelName, IReadOnlyList<SlotInspection> Slots,
    IReadOnlyList<RejectedRecord> Rejections, IReadOnlyList<ModelError> ModelErrors, string? Error)
{
    /// <summary>Gets a value indicating whether an input was stopped before its end (<see cref="SlotInspection.Stopped"/>): the run did not read everything.</summary>
    public bool Stopped => Slots.Any(s => s.Stopped);
}

/// <summary>Data of <see cref="ScoringEngine.StateChanged"/>.</summary>
/// <param name="Previous">The previous state.</param>
/// <param name="Current">The new state.</param>
public sealed record EngineStateChangedEventArgs(EngineState Previous, EngineState Current);
