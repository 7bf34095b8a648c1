using System.Buffers;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Engine;

/// <summary>
/// Calls a typed model on decoded records: one concrete generic class per model kind, created once per loaded model.
/// The hot path (<see cref="ProcessAsync"/>) loops over a run of data records without allocating; it awaits only when
/// the model completes asynchronously or an output batch is full.
/// </summary>
internal abstract class ModelInvoker(Func<ModelError, bool> onError)
{
    private EngineOutputs? _outputs;

    public abstract IModel Model { get; }

    public abstract bool IsBatchModel { get; }

    protected EngineOutputs Outputs => _outputs!;

    protected TimeProvider Time { get; private set; } = TimeProvider.System;

    /// <summary>Binds the invoker to a run's outputs.</summary>
    public virtual void Start(EngineOutputs outputs, int maxSlot, TimeProvider time)
    {
        _outputs = outputs;
        Time = time;
    }

    /// <summary>
    /// Scores the data records <paramref name="start"/> to <paramref name="end"/> (exclusive) of a batch (no control
    /// records among them): per record for a record model; appended to the slot's pending batch, scored at the
    /// slot's Watermark, for a batch model. Returns <see langword="false"/> when the engine must stop (model error, Stop policy).
    /// </summary>
    public abstract ValueTask<bool> ProcessAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken);

    /// <summary>Gets whether the slot's pending batch holds a record whose caller waits for it (a <see cref="RecordReply"/>).</summary>
    public virtual bool HasPendingReply(int slot) => false;

    /// <summary>Makes an input stream decode records into the model's input type on its own task (before it starts reading).</summary>
    public abstract void PrepareInput(InputStream input);

    /// <summary>Scores the slot's pending batch (batch models; a no-op for record models).</summary>
    public virtual ValueTask<bool> FlushAsync(EngineSlot slot, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public static ModelInvoker Create(IModel model, Func<ModelError, bool> onError)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (Type i in model.GetType().GetInterfaces())
        {
            if (!i.IsGenericType)
            {
                continue;
            }

            Type def = i.GetGenericTypeDefinition();
            if (def == typeof(IModel<,>))
            {
                return (ModelInvoker)Activator.CreateInstance(typeof(RecordInvoker<,>).MakeGenericType(i.GetGenericArguments()), model, onError)!;
            }

            if (def == typeof(IBatchModel<,>))
            {
                return (ModelInvoker)Activator.CreateInstance(typeof(BatchInvoker<,>).MakeGenericType(i.GetGenericArguments()), model, onError)!;
            }
        }

        throw new ArgumentException($"{model.GetType().Name} implements neither IModel<TInput, TOutput> nor IBatchModel<TInput, TOutput>.", nameof(model));
    }

    /// <summary>Reports a model error; returns <see langword="true"/> to go on (Skip policy).</summary>
    protected bool Fail(int slot, long recordNumber, string record, Exception ex) =>
        onError(new ModelError(slot, recordNumber, record, $"{ex.GetType().Name}: {ex.Message}"));

    /// <summary>Starts capturing the outputs of a record that has a reply; fails the reply (and returns null) when its output slot has no stream.</summary>
    protected static RecordReply? StartCapture(RecordReply? reply, EngineOutputs outputs)
    {
        if (reply is null || outputs.BeginCapture(reply.OutputSlot))
        {
            return reply;
        }

        reply.OnFailed($"No stream is attached to output slot {reply.OutputSlot}.");
        return null;
    }

    protected static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";

    protected static bool IsModelFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested;
}

internal sealed class RecordInvoker<TInput, TOutput>(IModel<TInput, TOutput> model, Func<ModelError, bool> onError) : ModelInvoker(onError)
{
    private IModelOutput<TOutput> _output = null!;

    public override IModel Model => model;

    public override bool IsBatchModel => false;

    public override void Start(EngineOutputs outputs, int maxSlot, TimeProvider time)
    {
        base.Start(outputs, maxSlot, time);
        _output = outputs.Typed<TOutput>();
    }

    public override void PrepareInput(InputStream input) => input.DecodeOnProducer(new RecordDecoder<TInput>(input.Encoding));

    public override async ValueTask<bool> ProcessAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken)
    {
        EngineOutputs outputs = Outputs;
        TInput[]? values = (batch.Values as DecodedValues<TInput>)?.Items; // decoded by the input's producer task
        for (int i = start; i < end; i++)
        {
            TInput value;
            if (values is not null)
            {
                value = values[i];
            }
            else if (!input.TryDecode(batch, i, out value))
            {
                continue; // rejected: counted, reported (and a waiting caller told) by the stream
            }

            RecordReply? reply = StartCapture(batch.GetMetadata(i)?.Reply, outputs);
            Exception? failure = null;
            try
            {
                ValueTask task = model.ActionAsync(value, new RecordContext(slot.Slot, batch.GetSequenceNumber(i), batch.GetMetadata(i)), _output, cancellationToken);
                if (!task.IsCompletedSuccessfully)
                {
                    await task.ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (IsModelFailure(ex, cancellationToken))
            {
                failure = ex;
            }

            // the error is counted before the caller hears of it, so what the caller reads next (job status) includes it
            bool carryOn = failure is null || Fail(slot.Slot, batch.GetSequenceNumber(i), RejectedRecord.MakePreview(batch.GetSpan(i)), failure);
            if (reply is not null)
            {
                outputs.EndCapture(new ReadOnlySpan<RecordReply?>(ref reply), failure is null ? null : Describe(failure));
            }

            if (!carryOn)
            {
                return false;
            }

            if (outputs.MustSend)
            {
                await outputs.SendAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }
}

internal sealed class BatchInvoker<TInput, TOutput>(IBatchModel<TInput, TOutput> model, Func<ModelError, bool> onError) : ModelInvoker(onError)
{
    private IModelOutput<TOutput> _output = null!;
    private List<TInput>?[] _pending = [];
    private List<RecordReply?>?[] _replies = [];
    private long[] _firstSequence = [];

    public override IModel Model => model;

    public override bool IsBatchModel => true;

    public override void Start(EngineOutputs outputs, int maxSlot, TimeProvider time)
    {
        base.Start(outputs, maxSlot, time);
        _output = outputs.Typed<TOutput>();
        _pending = new List<TInput>?[maxSlot + 1];
        _replies = new List<RecordReply?>?[maxSlot + 1];
        _firstSequence = new long[maxSlot + 1];
    }

    public override void PrepareInput(InputStream input) => input.DecodeOnProducer(new RecordDecoder<TInput>(input.Encoding));

    public override async ValueTask<bool> ProcessAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken)
    {
        List<TInput> pending = _pending[slot.Slot] ??= [];
        TInput[]? values = (batch.Values as DecodedValues<TInput>)?.Items; // decoded by the input's producer task
        for (int i = start; i < end; i++)
        {
            TInput value;
            if (values is not null)
            {
                value = values[i];
            }
            else if (!input.TryDecode(batch, i, out value))
            {
                continue;
            }

            if (pending.Count == 0)
            {
                _firstSequence[slot.Slot] = batch.GetSequenceNumber(i);
                slot.PendingSince = Time.GetTimestamp();
            }

            pending.Add(value);
            RecordReply? reply = batch.GetMetadata(i)?.Reply;
            if (reply is not null || _replies[slot.Slot] is not null)
            {
                // replies are kept aligned with the pending records (created on the first record with a reply)
                List<RecordReply?> replies = _replies[slot.Slot] ??= [.. Enumerable.Repeat<RecordReply?>(null, pending.Count - 1)];
                replies.Add(reply);
            }

            if (slot.Watermark is { } watermark && pending.Count >= watermark)
            {
                if (!await FlushAsync(slot, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                pending = _pending[slot.Slot]!;
            }
        }

        Volatile.Write(ref slot.PendingRecords, pending.Count);
        return true;
    }

    public override bool HasPendingReply(int slot) => (uint)slot < (uint)_replies.Length && _replies[slot] is not null;

    public override async ValueTask<bool> FlushAsync(EngineSlot slot, CancellationToken cancellationToken)
    {
        List<TInput>? items = _pending[slot.Slot];
        if (items is null || items.Count == 0)
        {
            slot.OnBatchScored();
            return true;
        }

        // the model owns the list it is given; the slot starts a new one
        _pending[slot.Slot] = new List<TInput>(items.Count);
        List<RecordReply?>? replies = _replies[slot.Slot];
        _replies[slot.Slot] = null;
        slot.OnBatchScored();
        if (replies is not null && StartCapture(replies.First(r => r is not null), Outputs) is null)
        {
            foreach (RecordReply? other in replies)
            {
                other?.OnFailed($"No stream is attached to output slot {other.OutputSlot}.");
            }

            replies = null;
        }

        var context = new RecordContext(slot.Slot, _firstSequence[slot.Slot]);
        Exception? failure = null;
        try
        {
            await model.ActionAsync(items, context, _output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsModelFailure(ex, cancellationToken))
        {
            failure = ex;
        }

        bool carryOn = failure is null || Fail(slot.Slot, context.SequenceNumber, $"batch of {items.Count} records (records {context.SequenceNumber} and after)", failure);
        if (replies is not null)
        {
            Outputs.EndCapture(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(replies), failure is null ? null : Describe(failure));
        }

        if (!carryOn)
        {
            return false;
        }

        if (Outputs.MustSend)
        {
            await Outputs.SendAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}

/// <summary>
/// The model's view of the output slots: encodes emitted values straight into one pending <see cref="OutputBatch"/>
/// per slot. Batches are sent when one is full (<see cref="MustSend"/>) or when the engine is idle; sending waits
/// when an output's channel is full (backpressure).
/// </summary>
internal sealed class EngineOutputs(int maxSlot, int maxBatchRecords, Action<int, ControlRecord, Exception>? onControlNotSupported = null) : IModelOutput
{
    private const int MaxBatchBytes = 256 * 1024;
    private readonly OutputStream?[] _streams = new OutputStream?[maxSlot + 1];
    private readonly OutputBatch?[] _batches = new OutputBatch?[maxSlot + 1];
    private readonly Dictionary<Type, object> _typed = [];
    private readonly List<ReadOnlyMemory<byte>> _captured = [];
    private readonly List<ReadOnlyMemory<byte>> _one = [default];
    private int _captureSlot = -1;
    private OutputStream? _captureStream;
    private OutputBatch? _capture;
    private bool _dirty;

    /// <summary>Gets a value indicating whether a pending batch is full and should be sent before scoring more records.</summary>
    public bool MustSend { get; private set; }

    public void SetStream(int slot, OutputStream stream) => _streams[slot] = stream;

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
        if (slot == _captureSlot)
        {
            _captureStream!.TryAdd(_capture!, value);
            return;
        }

        OutputStream stream = Resolve(slot);
        OutputBatch batch = _batches[slot] ??= stream.CreateBatch();
        _dirty = true;
        stream.TryAdd(batch, value);
        if (batch.Count >= maxBatchRecords || batch.ByteCount >= MaxBatchBytes)
        {
            MustSend = true;
        }
    }

    public void EmitControl(int slot, ControlRecord control)
    {
        if (slot == _captureSlot)
        {
            return; // control records have no place in a reply
        }

        OutputStream stream = Resolve(slot);
        OutputBatch batch = _batches[slot] ??= stream.CreateBatch();
        _dirty = true;
        stream.AddControl(batch, control);
    }

    /// <summary>Starts capturing the outputs to <paramref name="slot"/> (for a record with a reply). Returns false when the slot has no stream.</summary>
    public bool BeginCapture(int slot)
    {
        if ((uint)slot >= (uint)_streams.Length || _streams[slot] is not { } stream)
        {
            return false;
        }

        _captureSlot = slot;
        _captureStream = stream;
        _capture ??= stream.CreateBatch();
        _capture.Clear();
        return true;
    }

    /// <summary>
    /// Stops capturing and hands the captured outputs to the replies of the records scored together: all of them to a
    /// single record; output i to record i when counts match (outputs of records without a reply go to the stream);
    /// otherwise the outputs go to the stream and the replies fail. A failed model call fails the replies and drops the outputs.
    /// </summary>
    public void EndCapture(ReadOnlySpan<RecordReply?> replies, string? failure)
    {
        OutputStream stream = _captureStream!;
        OutputBatch capture = _capture!;
        int slot = _captureSlot;
        _captureSlot = -1;
        _captureStream = null;
        _captured.Clear();
        long bytes = 0;
        for (int i = 0; i < capture.Count; i++)
        {
            if (capture.GetControl(i) == ControlKind.None)
            {
                ReadOnlyMemory<byte> record = capture.GetRecordMemory(i);
                _captured.Add(record);
                bytes += record.Length;
            }
        }

        try
        {
            if (failure is not null)
            {
                foreach (RecordReply? reply in replies)
                {
                    reply?.OnFailed(failure);
                }
            }
            else if (replies.Length == 1)
            {
                stream.Counters.Add(_captured.Count, bytes);
                replies[0]!.OnScored(_captured);
            }
            else if (_captured.Count == replies.Length)
            {
                for (int i = 0; i < replies.Length; i++)
                {
                    if (replies[i] is { } reply)
                    {
                        _one[0] = _captured[i];
                        stream.Counters.Add(1, _captured[i].Length);
                        reply.OnScored(_one);
                    }
                    else
                    {
                        Forward(slot, stream, _captured[i].Span);
                    }
                }
            }
            else
            {
                foreach (ReadOnlyMemory<byte> record in _captured)
                {
                    Forward(slot, stream, record.Span);
                }

                string message = $"The batch model emitted {_captured.Count} outputs to slot {slot} for a batch of {replies.Length} records; a round trip needs one output per record.";
                foreach (RecordReply? reply in replies)
                {
                    reply?.OnFailed(message);
                }
            }
        }
        finally
        {
            _one[0] = default;
            _captured.Clear();
            capture.Clear();
        }
    }

    /// <summary>Writes a control record (a pig passing through) to every output, after the outputs emitted so far.</summary>
    public void EmitControlToAll(ControlRecord control)
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
        if (!_dirty)
        {
            return;
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
        for (int slot = 0; slot < _batches.Length; slot++)
        {
            _batches[slot]?.Dispose();
            _batches[slot] = null;
        }

        _capture?.Dispose();
        _capture = null;

        _dirty = false;
        MustSend = false;
    }

    private void Forward(int slot, OutputStream stream, ReadOnlySpan<byte> record)
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

        public void EmitControl(int slot, ControlRecord control) => outputs.EmitControl(slot, control);
    }
}
