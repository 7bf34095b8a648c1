using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Engine;

/// <summary>
/// One attached slot: its descriptor and, while a run is going, its stream, end-of-stream flag, batching state,
/// acknowledgements and the counters of streams it replaced. Changed by the engine's run task (stream swaps and end of
/// stream under the engine's lock, so <see cref="ScoringEngine.Inspect"/>, which reads it under that lock, sees a
/// consistent slot); the counts read by Inspect without the lock are read and written atomically.
/// </summary>
internal sealed class EngineSlot(int slot, StreamDescriptor descriptor, string name)
{
    private readonly List<InputStream> _retiring = [];
    private long _modelErrors;
    private long _pendingRecords;
    private (string Name, KeyValuePair<string, object?>[] Tags)? _metricTags;
    private (string Name, string Span)? _processSpanName;

    public int Slot { get; } = slot;

    public bool IsInput => (Slot & 1) == 0;

    public StreamDescriptor Descriptor { get; private set; } = descriptor;

    public string Name { get; private set; } = name;

    /// <summary>Gets the tags of the slot's metric measurements (computed once per stream name, so recording allocates nothing).</summary>
    public KeyValuePair<string, object?>[] MetricTags
    {
        get
        {
            (string Name, KeyValuePair<string, object?>[] Tags)? cached = _metricTags;
            if (cached is { } c && ReferenceEquals(c.Name, Name))
            {
                return c.Tags;
            }

            KeyValuePair<string, object?>[] tags = Diagnostics.EngineMetrics.Tags(Slot, Name, IsInput, Descriptor.Transport.Type);
            _metricTags = (Name, tags);
            return tags;
        }
    }

    /// <summary>Gets the name of the slot's batch span, <c>process NAME</c> (computed once per stream name, so a span allocates no name).</summary>
    public string ProcessSpanName
    {
        get
        {
            (string Name, string Span)? cached = _processSpanName;
            if (cached is { } c && ReferenceEquals(c.Name, Name))
            {
                return c.Span;
            }

            string span = "process " + Name;
            _processSpanName = (Name, span);
            return span;
        }
    }

    public InputStream? Input { get; private set; }

    public OutputStream? Output { get; private set; }

    /// <summary>Gets a value indicating whether the stream is at end of stream (inputs: every batch processed; outputs: completed).</summary>
    public bool Eof { get; private set; }

    /// <summary>Gets a value indicating whether the input stopped reading (a graceful stop) before its transport's end: every batch it read is processed, but it did not reach its end.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Gets the input's generation, bumped when the input is replaced: the pumps' items are told apart by it.</summary>
    public int Generation { get; private set; }

    /// <summary>Gets the task that moves the current input's batches to the engine (see <see cref="InputPump"/>).</summary>
    public Task? Pump { get; private set; }

    /// <summary>Gets the model errors on records of this slot.</summary>
    public long ModelErrors => Interlocked.Read(ref _modelErrors);

    /// <summary>Gets the records waiting in the batch model's pending batch (written by the run task, read by Inspect).</summary>
    public long PendingRecords => Volatile.Read(ref _pendingRecords);

    /// <summary>Gets when the first pending record arrived (a TimeProvider timestamp); meaningful while <see cref="PendingRecords"/> &gt; 0.</summary>
    public long PendingSince { get; private set; }

    /// <summary>Gets the input's Batching.Watermark: a batch model scores its pending batch at this many records.</summary>
    public int? Watermark { get; private set; }

    /// <summary>Gets the input's Batching.NagleTime: a batch model scores its pending batch this many milliseconds after its first record.</summary>
    public int? NagleTime { get; private set; }

    /// <summary>Gets what of the input's messages may be acknowledged, and when.</summary>
    public SlotAcknowledgements Acknowledgements { get; } = new();

    /// <summary>Gets the counters of streams this slot has replaced, so the slot's totals never go backwards.</summary>
    public CounterTotals Retired { get; private set; }

    /// <summary>Gets the replaced inputs still delivering what they read before the replacement.</summary>
    public IReadOnlyList<InputStream> Retiring => _retiring;

    public StreamCounters? Counters => Input?.Counters ?? Output?.Counters;

    public string TransportDisplayName => Input?.TransportDisplayName ?? Output?.TransportDisplayName ?? Descriptor.Transport.Type;

    /// <summary>The run opened the slot's input stream.</summary>
    public void Opened(InputStream input)
    {
        Input = input;
        UseBatching(Descriptor);
    }

    /// <summary>The run opened the slot's output stream.</summary>
    public void Opened(OutputStream output) => Output = output;

    /// <summary>The pump of the current input started.</summary>
    public void Pumping(Task pump) => Pump = pump;

    /// <summary>The input delivered its last batch: it reached its end, or it was stopped before.</summary>
    public void InputEnded(bool stopped)
    {
        Stopped = stopped;
        Eof = !stopped;
    }

    /// <summary>The output was completed.</summary>
    public void OutputCompleted() => Eof = true;

    /// <summary>
    /// Puts <paramref name="input"/> in the place of the current input, which retires (it still delivers what it read);
    /// returns the retiring input, and whether it had already delivered everything.
    /// </summary>
    public InputStream ReplaceInput(StreamDescriptor descriptor, string name, InputStream input, out bool oldDone)
    {
        InputStream old = Input!;
        oldDone = Eof || Stopped;
        _retiring.Add(old);
        Descriptor = descriptor;
        Name = name;
        Input = input;
        Generation++;
        Eof = false;
        Stopped = false;
        UseBatching(descriptor);
        return old;
    }

    /// <summary>A replaced input has delivered everything: its counters join the slot's retired totals.</summary>
    public void FinishRetiring(InputStream old)
    {
        _retiring.Remove(old);
        Retired = Retired.Add(old.Counters);
    }

    /// <summary>Puts <paramref name="output"/> in the place of the current output (completed by the caller); its counters join the retired totals.</summary>
    public void ReplaceOutput(StreamDescriptor descriptor, string name, OutputStream output)
    {
        Retired = Retired.Add(Output!.Counters);
        Descriptor = descriptor;
        Name = name;
        Output = output;
    }

    public void CountModelError() => Interlocked.Increment(ref _modelErrors);

    /// <summary>The first record of a new pending batch arrived (batch models).</summary>
    public void PendingStarted(long timestamp) => PendingSince = timestamp;

    /// <summary>The batch model's pending batch holds <paramref name="count"/> records.</summary>
    public void SetPendingRecords(int count) => Volatile.Write(ref _pendingRecords, count);

    /// <summary>The batch model scored the slot's pending batch: records of staged acknowledgements are now scored.</summary>
    public void OnBatchScored()
    {
        Volatile.Write(ref _pendingRecords, 0);
        Acknowledgements.Promote();
    }

    /// <summary>The totals of this slot: retired streams, draining ones and the current one.</summary>
    public CounterTotals Totals()
    {
        CounterTotals totals = Retired;
        foreach (InputStream retiring in _retiring)
        {
            totals = totals.Add(retiring.Counters);
        }

        return Counters is { } current ? totals.Add(current) : totals;
    }

    private void UseBatching(StreamDescriptor descriptor)
    {
        Watermark = descriptor.Batching.Watermark;
        NagleTime = descriptor.Batching.NagleTime;
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
