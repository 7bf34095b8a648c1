using System.Diagnostics;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Engine;

/// <summary>
/// What of one input slot's messages may be acknowledged: the last message of processed batches whose records are all
/// scored (acknowledged after the next flush of every output), and the last message of batches whose records partly
/// wait in a batch model's pending batch. Used by the run task only.
/// </summary>
internal sealed class SlotAcknowledgements
{
    /// <summary>Gets the last message whose records are all scored: acknowledged after the next output flush.</summary>
    public (InputStream Input, InputMessage Last)? Pending { get; private set; }

    /// <summary>Gets the last message of processed batches whose records partly wait in the batch model's pending batch.</summary>
    public (InputStream Input, InputMessage Last)? Staged { get; private set; }

    /// <summary>A batch of <paramref name="input"/> ending with <paramref name="last"/> was processed; <paramref name="pendingRecords"/> of the slot's records still wait to be scored.</summary>
    public void Processed(InputStream input, InputMessage last, long pendingRecords)
    {
        if (pendingRecords == 0)
        {
            Pending = (input, last);
            Staged = null;
        }
        else
        {
            Staged = (input, last);
        }
    }

    /// <summary>The pending batch was scored: the staged message's records are all scored now.</summary>
    public void Promote()
    {
        if (Staged is { } staged)
        {
            Pending = staged;
            Staged = null;
        }
    }

    /// <summary>Takes the message to acknowledge, if any.</summary>
    public (InputStream Input, InputMessage Last)? TakePending()
    {
        (InputStream Input, InputMessage Last)? pending = Pending;
        Pending = null;
        return pending;
    }

    /// <summary>Gets the read timestamps (and spans) of the batches processed since the last acknowledgement; only kept while telemetry listens.</summary>
    public List<(long ReadAt, ActivityContext? Span)>? ReadTimes { get; private set; }

    /// <summary>Notes when a processed batch was read, for the latency histogram and the acknowledgement span's links.</summary>
    public void ReadAt(long timestamp, ActivityContext? span)
    {
        List<(long, ActivityContext?)> times = ReadTimes ??= [];
        if (times.Count < 4096)
        {
            times.Add((timestamp, span));
        }
    }

    /// <summary>Whether a message of <paramref name="input"/> waits to be acknowledged (pending or staged).</summary>
    public bool Holds(InputStream input) => Pending?.Input == input || Staged?.Input == input;
}

/// <summary>
/// At-least-once delivery for a run: a message input is acknowledged (Kafka commits offsets) only after every output
/// has flushed (files fsync'd, Kafka delivery reports in), every <see cref="EngineOptions.AcknowledgeInterval"/> and at
/// the end. After a crash, unacknowledged records are read again: duplicates are possible, loss is not.
/// </summary>
internal sealed class Acknowledgements(EngineSlot[] inputSlots, EngineSlot[] outputSlots, TimeProvider time, TimeSpan interval, EngineMetrics? metrics = null)
{
    /// <summary>Gets when the inputs were last acknowledged (a TimeProvider timestamp).</summary>
    public long Last { get; private set; } = time.GetTimestamp();

    /// <summary>Gets or sets the run's rejects stream, flushed with the outputs (a record is acknowledged once its reject is durable).</summary>
    public RejectsOutput? Rejects { get; set; }

    /// <summary>Starts counting the interval (when the run's loop starts).</summary>
    public void Start() => Last = time.GetTimestamp();

    /// <summary>Gets whether some input has a message to acknowledge.</summary>
    public bool HasPending()
    {
        foreach (EngineSlot slot in inputSlots)
        {
            if (slot.Acknowledgements.Pending is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets whether an acknowledgement is due: the interval has passed and some input has a message to acknowledge.</summary>
    public bool Due() => time.GetElapsedTime(Last) >= interval && HasPending();

    /// <summary>Gets how long until the next acknowledgement is due, when some input has a message to acknowledge.</summary>
    public TimeSpan? TimeLeft() => HasPending() ? interval - time.GetElapsedTime(Last) : null;

    /// <summary>Makes every output durable, then acknowledges the inputs whose records are scored.</summary>
    public async ValueTask AcknowledgeAsync(EngineOutputs outputs, CancellationToken cancellationToken)
    {
        Last = time.GetTimestamp();
        if (!HasPending())
        {
            return;
        }

        await outputs.SendAsync(cancellationToken).ConfigureAwait(false);
        foreach (EngineSlot slot in outputSlots)
        {
            await slot.Output!.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Rejects is { } rejects)
        {
            await rejects.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        await AcknowledgeInputsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Acknowledges what each input has pending (the outputs are known to be durable).</summary>
    public async ValueTask AcknowledgeInputsAsync(CancellationToken cancellationToken)
    {
        foreach (EngineSlot slot in inputSlots)
        {
            if (slot.Acknowledgements.TakePending() is { } ack)
            {
                List<(long ReadAt, ActivityContext? Span)>? read = slot.Acknowledgements.ReadTimes;
                using Activity? activity = read is { Count: > 0 } ? EngineTracing.StartAcknowledge(slot, read) : null;
                await ack.Input.AcknowledgeAsync(ack.Last, cancellationToken).ConfigureAwait(false);
                if (read is { Count: > 0 } && metrics is { } m)
                {
                    long now = Stopwatch.GetTimestamp();
                    KeyValuePair<string, object?>[] tags = slot.MetricTags;
                    foreach ((long readAt, _) in read)
                    {
                        m.Latency.Record(Stopwatch.GetElapsedTime(readAt, now).TotalSeconds, tags);
                    }

                    read.Clear();
                }
            }
        }
    }
}
