using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Engine;

/// <summary>
/// One attached slot: its descriptor and, while a run is going, its stream, EOF flag, batching state, pending
/// acknowledgements and the counters of streams it replaced. Written by the engine task (stream swaps and EOF under
/// the engine's lock, so <see cref="ScoringEngine.Inspect"/> sees a consistent slot); read by Inspect under that lock.
/// </summary>
internal sealed class EngineSlot(int slot, StreamDescriptor descriptor, string name)
{
    public readonly int Slot = slot;

    public StreamDescriptor Descriptor = descriptor;

    public string Name = name;

    public InputStream? Input;

    public OutputStream? Output;

    /// <summary>The stream is at end of stream (inputs: every batch processed; outputs: completed).</summary>
    public bool Eof;

    /// <summary>The input stopped reading (a graceful stop) before its transport's end: every batch it read is processed, but it did not reach its end.</summary>
    public bool Stopped;

    /// <summary>Bumped when the input is replaced: items of older pumps are told apart by it.</summary>
    public int Generation;

    public Task? Pump;

    /// <summary>Model errors on records of this slot (Interlocked).</summary>
    public long ModelErrors;

    /// <summary>Records waiting in the batch model's pending batch (written by the engine task, read by Inspect).</summary>
    public long PendingRecords;

    /// <summary>When the first pending record arrived (TimeProvider timestamp); meaningful while PendingRecords &gt; 0.</summary>
    public long PendingSince;

    public int? Watermark;

    public int? NagleTime;

    /// <summary>The last message of processed batches whose records are all scored: acknowledged after the next output flush.</summary>
    public (InputStream Input, InputMessage Last)? PendingAck;

    /// <summary>The last message of processed batches whose records partly wait in the batch model's pending batch.</summary>
    public (InputStream Input, InputMessage Last)? StagedAck;

    /// <summary>Replaced inputs still delivering what they read before the replacement.</summary>
    public readonly List<InputStream> Retiring = [];

    /// <summary>Counters of streams this slot has replaced, so the slot's totals never go backwards.</summary>
    public CounterTotals Retired;

    public bool IsInput => (Slot & 1) == 0;

    public StreamCounters? Counters => Input?.Counters ?? Output?.Counters;

    public string TransportDisplayName => Input?.TransportDisplayName ?? Output?.TransportDisplayName ?? Descriptor.Transport.Type;

    public void UseBatching(StreamDescriptor descriptor)
    {
        Watermark = descriptor.Batching.Watermark;
        NagleTime = descriptor.Batching.NagleTime;
    }

    /// <summary>The batch model scored the slot's pending batch: records of staged acknowledgements are now scored.</summary>
    public void OnBatchScored()
    {
        Volatile.Write(ref PendingRecords, 0);
        if (StagedAck is { } staged)
        {
            PendingAck = staged;
            StagedAck = null;
        }
    }

    /// <summary>The totals of this slot: retired streams, draining ones and the current one.</summary>
    public CounterTotals Totals()
    {
        CounterTotals totals = Retired;
        foreach (InputStream retiring in Retiring)
        {
            totals = totals.Add(retiring.Counters);
        }

        return Counters is { } current ? totals.Add(current) : totals;
    }
}

/// <summary>A sum of <see cref="StreamCounters"/>.</summary>
internal readonly record struct CounterTotals(long Records, long Bytes, long RejectedByEncoding, long RejectedBySchema, long Oversized)
{
    /// <summary>Gets the records written to an output that did not reach their destination (see <see cref="StreamCounters.Undelivered"/>).</summary>
    public long Undelivered { get; init; }

    public CounterTotals Add(StreamCounters c) =>
        new(Records + c.Records, Bytes + c.Bytes, RejectedByEncoding + c.RejectedByEncoding, RejectedBySchema + c.RejectedBySchema, Oversized + c.Oversized)
        {
            Undelivered = Undelivered + c.Undelivered,
        };
}
