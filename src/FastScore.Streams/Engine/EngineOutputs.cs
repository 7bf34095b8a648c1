using System.Buffers;

namespace FastScore.Streams.Engine;

/// <summary>
/// The model's view of the output slots: encodes emitted values straight into one pending <see cref="OutputBatch"/>
/// per slot. Batches are sent when one is full (<see cref="MustSend"/>) or when the engine is idle; sending waits
/// when an output's channel is full (backpressure).
/// </summary>
internal sealed class EngineOutputs(int maxSlot, int maxBatchRecords, Action<int, Encodings.ControlRecord, Exception>? onControlNotSupported = null) : IModelOutput
{
    private const int MaxBatchBytes = 256 * 1024;
    private readonly OutputStream?[] _streams = new OutputStream?[maxSlot + 1];
    private readonly OutputBatch?[] _batches = new OutputBatch?[maxSlot + 1];
    private readonly Dictionary<Type, object> _typed = [];
    private ReplyCapture? _replies;
    private bool _dirty;

    /// <summary>Gets a value indicating whether a pending batch is full and should be sent before scoring more records.</summary>
    public bool MustSend { get; private set; }

    /// <summary>Gets or sets the headers given to every record emitted now (the current batch span's trace context), or null.</summary>
    public KeyValuePair<string, ReadOnlyMemory<byte>>[]? TraceHeaders { get; set; }

    /// <summary>Gets what captures the outputs of records whose callers wait for them (created on first use: most runs have none).</summary>
    public ReplyCapture Replies => _replies ??= new ReplyCapture(this);

    public void SetStream(int slot, OutputStream stream) => _streams[slot] = stream;

    /// <summary>Gets a value indicating whether some attached output writes message headers (so a batch span's trace context is worth encoding).</summary>
    public bool AnyCarriesHeaders
    {
        get
        {
            foreach (OutputStream? stream in _streams)
            {
                if (stream is { CarriesHeaders: true })
                {
                    return true;
                }
            }

            return false;
        }
    }

    public IModelOutput<T> Typed<T>()
    {
        if (!_typed.TryGetValue(typeof(T), out object? typed))
        {
            typed = new TypedOutput<T>(this);
            _typed[typeof(T)] = typed;
        }

        return (IModelOutput<T>)typed;
    }

    public void Emit<T>(int slot, T value)
    {
        OutputStream stream = Resolve(slot);
        OutputBatch batch = _batches[slot] ??= stream.CreateBatch();
        _dirty = true;
        if (stream.TryAdd(batch, value) && TraceHeaders is { } headers && stream.CarriesHeaders)
        {
            batch.SetLastHeaders(headers); // the current batch span's traceparent (only while tracing, only for outputs that write headers)
        }

        if (batch.Count >= maxBatchRecords || batch.ByteCount >= MaxBatchBytes)
        {
            MustSend = true;
        }
    }

    public void EmitControl(int slot, Encodings.ControlRecord control)
    {
        if (_replies is { } replies && replies.Slot == slot)
        {
            return; // control records have no place in a reply
        }

        OutputStream stream = Resolve(slot);
        OutputBatch batch = _batches[slot] ??= stream.CreateBatch();
        _dirty = true;
        stream.AddControl(batch, control);
    }

    /// <summary>Writes a control record (a pig passing through) to every output, after the outputs emitted so far.</summary>
    public void EmitControlToAll(Encodings.ControlRecord control)
    {
        for (int slot = 1; slot < _streams.Length; slot += 2)
        {
            if (_streams[slot] is not { } stream)
            {
                continue;
            }

            OutputBatch batch = _batches[slot] ??= stream.CreateBatch();
            _dirty = true;
            try
            {
                stream.AddControl(batch, control);
            }
            catch (NotSupportedException ex)
            {
                onControlNotSupported?.Invoke(slot, control, ex);
            }
        }
    }

    /// <summary>Sends every non-empty pending batch to its stream (waits while a stream's channel is full).</summary>
    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        if (!_dirty || _replies is { IsCapturing: true })
        {
            return; // while a record's outputs are captured, the capture batch stands in for its slot's batch: it is never sent
        }

        for (int slot = 1; slot < _batches.Length; slot += 2)
        {
            if (_batches[slot] is { } batch)
            {
                _batches[slot] = null;
                if (batch.Count == 0)
                {
                    batch.Dispose();
                    continue;
                }

                await _streams[slot]!.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }

        _dirty = false;
        MustSend = false;
    }

    /// <summary>Takes the pending batch of a slot (to hand it to <see cref="OutputStream.CompleteAsync(OutputBatch?, CancellationToken)"/>).</summary>
    public OutputBatch? Take(int slot)
    {
        OutputBatch? batch = _batches[slot];
        _batches[slot] = null;
        return batch;
    }

    public void DiscardPending()
    {
        _replies?.Discard();
        for (int slot = 0; slot < _batches.Length; slot++)
        {
            _batches[slot]?.Dispose();
            _batches[slot] = null;
        }

        _dirty = false;
        MustSend = false;
    }

    /// <summary>Gets the stream of an output slot, if one is attached.</summary>
    internal OutputStream? StreamOf(int slot) => (uint)slot < (uint)_streams.Length ? _streams[slot] : null;

    /// <summary>Puts <paramref name="batch"/> in the place of the slot's pending batch (what the model emits to the slot goes there) and returns the batch it replaced.</summary>
    internal OutputBatch? SwapBatch(int slot, OutputBatch? batch)
    {
        OutputBatch? previous = _batches[slot];
        _batches[slot] = batch;
        return previous;
    }

    /// <summary>Appends an already encoded and checked record to the slot's pending batch.</summary>
    internal void Forward(int slot, OutputStream stream, ReadOnlySpan<byte> record)
    {
        OutputBatch batch = _batches[slot] ??= stream.CreateBatch();
        _dirty = true;
        batch.BeginRecord();
        batch.Write(record);
        batch.EndRecord();
    }

    private OutputStream Resolve(int slot)
    {
        if ((uint)slot < (uint)_streams.Length && _streams[slot] is { } stream)
        {
            return stream;
        }

        throw BadSlot(slot);
    }

    private ArgumentOutOfRangeException BadSlot(int slot)
    {
        string attached = string.Join(", ", Enumerable.Range(0, _streams.Length).Where(s => _streams[s] is not null));
        return slot % 2 == 0
            ? new ArgumentOutOfRangeException(nameof(slot), slot, $"Slot {slot} is an input slot; outputs go to odd slots (attached outputs: {attached}).")
            : new ArgumentOutOfRangeException(nameof(slot), slot, $"No stream is attached to output slot {slot} (attached outputs: {attached}).");
    }

    private sealed class TypedOutput<T>(EngineOutputs outputs) : IModelOutput<T>
    {
        public void Emit(T value) => outputs.Emit(1, value);

        public void Emit(int slot, T value) => outputs.Emit(slot, value);

        public void EmitControl(int slot, Encodings.ControlRecord control) => outputs.EmitControl(slot, control);
    }
}
