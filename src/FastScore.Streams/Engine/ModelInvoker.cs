using System.Buffers;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Engine;

/// <summary>Calls a typed model on decoded records. One concrete generic class per model kind.</summary>
internal abstract class ModelInvoker
{
    public abstract IModel Model { get; }

    public abstract bool IsBatchModel { get; }

    /// <summary>Decodes a record and either scores it (record model) or appends it to the slot's pending batch (batch model). Returns false on a model error.</summary>
    public abstract ValueTask<bool> OnRecordAsync(InputStream input, RecordBatch batch, int index, EngineOutputs outputs, CancellationToken cancellationToken);

    /// <summary>Gets how many records wait in the slot's pending batch (batch models).</summary>
    public abstract int PendingCount(int slot);

    /// <summary>Gets whether the slot's pending batch holds a record whose caller waits for it (a <see cref="RecordReply"/>).</summary>
    public virtual bool HasPendingReply(int slot) => false;

    /// <summary>Scores the slot's pending batch (batch models). Returns false on a model error.</summary>
    public abstract ValueTask<bool> FlushBatchAsync(int slot, EngineOutputs outputs, CancellationToken cancellationToken);

    public static ModelInvoker Create(IModel model, Func<ModelError, bool> onError)
    {
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

    protected static string Preview(RecordBatch batch, int index) => RejectedRecord.MakePreview(batch.GetSpan(index));

    protected static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";
}

internal sealed class RecordInvoker<TInput, TOutput>(IModel<TInput, TOutput> model, Func<ModelError, bool> onError) : ModelInvoker
{
    public override IModel Model => model;

    public override bool IsBatchModel => false;

    public override async ValueTask<bool> OnRecordAsync(InputStream input, RecordBatch batch, int index, EngineOutputs outputs, CancellationToken cancellationToken)
    {
        if (!input.TryDecode(batch, index, out TInput value))
        {
            return true; // rejected: counted, reported (and a reply told) by the stream
        }

        var context = new RecordContext(input.Slot, batch.GetSequenceNumber(index));
        RecordReply? reply = StartCapture(batch.GetMetadata(index)?.Reply, outputs);
        string? failure = null;
        try
        {
            ValueTask task = model.ActionAsync(value, context, outputs.Typed<TOutput>(), cancellationToken);
            if (!task.IsCompletedSuccessfully)
            {
                await task.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = Describe(ex);
        }

        if (reply is not null)
        {
            outputs.EndCapture([reply], failure);
        }

        return failure is null || onError(new ModelError(input.Slot, context.SequenceNumber, Preview(batch, index), failure));
    }

    public override int PendingCount(int slot) => 0;

    public override ValueTask<bool> FlushBatchAsync(int slot, EngineOutputs outputs, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}

internal sealed class BatchInvoker<TInput, TOutput>(IBatchModel<TInput, TOutput> model, Func<ModelError, bool> onError) : ModelInvoker
{
    private readonly Dictionary<int, Pending> _pending = [];

    public override IModel Model => model;

    public override bool IsBatchModel => true;

    public override ValueTask<bool> OnRecordAsync(InputStream input, RecordBatch batch, int index, EngineOutputs outputs, CancellationToken cancellationToken)
    {
        if (input.TryDecode(batch, index, out TInput value))
        {
            if (!_pending.TryGetValue(input.Slot, out Pending? pending))
            {
                pending = new Pending();
                _pending[input.Slot] = pending;
            }

            if (pending.Items.Count == 0)
            {
                pending.FirstSequence = batch.GetSequenceNumber(index);
            }

            pending.Items.Add(value);
            RecordReply? reply = batch.GetMetadata(index)?.Reply;
            pending.Replies.Add(reply);
            pending.AnyReply |= reply is not null;
        }

        return ValueTask.FromResult(true);
    }

    public override int PendingCount(int slot) => _pending.TryGetValue(slot, out Pending? p) ? p.Items.Count : 0;

    public override bool HasPendingReply(int slot) => _pending.TryGetValue(slot, out Pending? p) && p.AnyReply;

    public override async ValueTask<bool> FlushBatchAsync(int slot, EngineOutputs outputs, CancellationToken cancellationToken)
    {
        if (!_pending.TryGetValue(slot, out Pending? pending) || pending.Items.Count == 0)
        {
            return true;
        }

        TInput[] items = [.. pending.Items];
        RecordReply?[]? replies = pending.AnyReply ? [.. pending.Replies] : null;
        pending.Items.Clear();
        pending.Replies.Clear();
        pending.AnyReply = false;
        if (replies is not null && StartCapture(replies.First(r => r is not null), outputs) is null)
        {
            foreach (RecordReply? other in replies)
            {
                other?.OnFailed($"No stream is attached to output slot {other.OutputSlot}.");
            }

            replies = null;
        }

        var context = new RecordContext(slot, pending.FirstSequence);
        string? failure = null;
        try
        {
            await model.ActionAsync(items, context, outputs.Typed<TOutput>(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = Describe(ex);
        }

        if (replies is not null)
        {
            outputs.EndCapture(replies, failure);
        }

        return failure is null || onError(new ModelError(slot, context.SequenceNumber, $"batch of {items.Length} records", failure));
    }

    private sealed class Pending
    {
        public List<TInput> Items { get; } = [];

        public List<RecordReply?> Replies { get; } = [];

        public long FirstSequence { get; set; }

        public bool AnyReply { get; set; }
    }
}

/// <summary>The model's view of the output slots: encodes emitted values into per-slot batches.</summary>
internal sealed class EngineOutputs : IModelOutput
{
    private readonly Dictionary<int, OutputStream> _streams = [];
    private readonly Dictionary<int, OutputBatch> _batches = [];
    private readonly Dictionary<Type, object> _typed = [];
    private readonly List<ReadOnlyMemory<byte>> _captured = [];
    private readonly List<ReadOnlyMemory<byte>> _one = [default];
    private int _captureSlot = -1;
    private OutputStream? _captureStream;
    private OutputBatch? _capture;

    public void SetStream(int slot, OutputStream stream) => _streams[slot] = stream;

    public IEnumerable<int> Slots => _streams.Keys;

    public OutputStream Stream(int slot) => _streams[slot];

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
        stream.TryAdd(Batch(slot, stream), value);
    }

    public void EmitControl(int slot, ControlRecord control)
    {
        if (slot == _captureSlot)
        {
            return; // control records have no place in a reply
        }

        OutputStream stream = Resolve(slot);
        stream.AddControl(Batch(slot, stream), control);
    }

    /// <summary>Starts capturing the outputs to <paramref name="slot"/> (for a record with a reply). Returns false when the slot has no stream.</summary>
    public bool BeginCapture(int slot)
    {
        if (!_streams.TryGetValue(slot, out OutputStream? stream))
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
    public void EndCapture(RecordReply?[] replies, string? failure)
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

    public void EmitControlToAll(ControlRecord control)
    {
        foreach ((int slot, OutputStream stream) in _streams)
        {
            stream.AddControl(Batch(slot, stream), control);
        }
    }

    /// <summary>Sends every non-empty pending batch to its stream (backpressure applies here).</summary>
    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        if (_batches.Count == 0)
        {
            return;
        }

        foreach ((int slot, OutputBatch batch) in _batches)
        {
            await _streams[slot].WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        _batches.Clear();
    }

    public async ValueTask FlushAllAsync(CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken).ConfigureAwait(false);
        foreach (OutputStream stream in _streams.Values)
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void DiscardPending()
    {
        foreach (OutputBatch batch in _batches.Values)
        {
            batch.Dispose();
        }

        _batches.Clear();
        _capture?.Dispose();
        _capture = null;
    }

    private void Forward(int slot, OutputStream stream, ReadOnlySpan<byte> record)
    {
        OutputBatch batch = Batch(slot, stream);
        batch.BeginRecord();
        batch.Write(record);
        batch.EndRecord();
    }

    private OutputStream Resolve(int slot)
    {
        if (slot % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"Slot {slot} is an input slot; outputs go to odd slots.");
        }

        return _streams.TryGetValue(slot, out OutputStream? stream)
            ? stream
            : throw new ArgumentOutOfRangeException(nameof(slot), slot, $"No stream is attached to output slot {slot} (attached: {string.Join(", ", _streams.Keys.Order())}).");
    }

    private OutputBatch Batch(int slot, OutputStream stream)
    {
        if (!_batches.TryGetValue(slot, out OutputBatch? batch))
        {
            batch = stream.CreateBatch();
            _batches[slot] = batch;
        }

        return batch;
    }

    private sealed class TypedOutput<T>(EngineOutputs outputs) : IModelOutput<T>
    {
        public void Emit(T value) => outputs.Emit(1, value);

        public void Emit(int slot, T value) => outputs.Emit(slot, value);

        public void EmitControl(int slot, ControlRecord control) => outputs.EmitControl(slot, control);
    }
}
