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
            return true;
        }

        var context = new RecordContext(input.Slot, batch.GetSequenceNumber(index), batch.GetMetadata(index));
        try
        {
            ValueTask task = model.ActionAsync(value, context, outputs.Typed<TOutput>(), cancellationToken);
            if (!task.IsCompletedSuccessfully)
            {
                await task.ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return onError(new ModelError(input.Slot, context.SequenceNumber, Preview(batch, index), Describe(ex)));
        }
    }

    public override int PendingCount(int slot) => 0;

    public override ValueTask<bool> FlushBatchAsync(int slot, EngineOutputs outputs, CancellationToken cancellationToken) => ValueTask.FromResult(true);
}

internal sealed class BatchInvoker<TInput, TOutput>(IBatchModel<TInput, TOutput> model, Func<ModelError, bool> onError) : ModelInvoker
{
    private readonly Dictionary<int, (List<TInput> Items, long FirstSequence)> _pending = [];

    public override IModel Model => model;

    public override bool IsBatchModel => true;

    public override ValueTask<bool> OnRecordAsync(InputStream input, RecordBatch batch, int index, EngineOutputs outputs, CancellationToken cancellationToken)
    {
        if (input.TryDecode(batch, index, out TInput value))
        {
            if (!_pending.TryGetValue(input.Slot, out (List<TInput> Items, long FirstSequence) pending))
            {
                pending = ([], 0);
            }

            if (pending.Items.Count == 0)
            {
                pending.FirstSequence = batch.GetSequenceNumber(index);
            }

            pending.Items.Add(value);
            _pending[input.Slot] = pending;
        }

        return ValueTask.FromResult(true);
    }

    public override int PendingCount(int slot) => _pending.TryGetValue(slot, out (List<TInput> Items, long FirstSequence) p) ? p.Items.Count : 0;

    public override async ValueTask<bool> FlushBatchAsync(int slot, EngineOutputs outputs, CancellationToken cancellationToken)
    {
        if (!_pending.TryGetValue(slot, out (List<TInput> Items, long FirstSequence) pending) || pending.Items.Count == 0)
        {
            return true;
        }

        TInput[] items = [.. pending.Items];
        pending.Items.Clear();
        var context = new RecordContext(slot, pending.FirstSequence);
        try
        {
            await model.ActionAsync(items, context, outputs.Typed<TOutput>(), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return onError(new ModelError(slot, context.SequenceNumber, $"batch of {items.Length} records", Describe(ex)));
        }
    }
}

/// <summary>The model's view of the output slots: encodes emitted values into per-slot batches.</summary>
internal sealed class EngineOutputs : IModelOutput
{
    private readonly Dictionary<int, OutputStream> _streams = [];
    private readonly Dictionary<int, OutputBatch> _batches = [];
    private readonly Dictionary<Type, object> _typed = [];

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
        OutputStream stream = Resolve(slot);
        stream.TryAdd(Batch(slot, stream), value);
    }

    public void EmitControl(int slot, ControlRecord control)
    {
        OutputStream stream = Resolve(slot);
        stream.AddControl(Batch(slot, stream), control);
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
