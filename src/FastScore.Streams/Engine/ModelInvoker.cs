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

    /// <summary>Gets or sets the run's rejects stream: records skipped after a model error are written to it.</summary>
    public RejectsOutput? Rejects { get; set; }

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
    /// <remarks>The hot path: it knows nothing of callers waiting for records. The engine sends the batches of an input
    /// that answers callers (<see cref="InputStream.AnswersCallers"/>) to <see cref="ProcessWithRepliesAsync"/> instead.</remarks>
    public abstract ValueTask<bool> ProcessAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken);

    /// <summary>
    /// Scores records as <see cref="ProcessAsync"/> does, for an input whose transport answers callers: the outputs of a
    /// record with a <see cref="RecordReply"/> go to the reply (see <see cref="ReplyCapture"/>), as does its model error.
    /// </summary>
    public abstract ValueTask<bool> ProcessWithRepliesAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken);

    /// <summary>Gets whether the slot's pending batch holds a record whose caller waits for it (a <see cref="RecordReply"/>).</summary>
    public virtual bool HasPendingReply(int slot) => false;

    /// <summary>Makes an input stream decode records into the model's input type on its own task (before it starts reading).</summary>
    public abstract void PrepareInput(InputStream input);

    /// <summary>Scores the slot's pending batch (batch models; a no-op for record models).</summary>
    public virtual ValueTask<bool> FlushAsync(EngineSlot slot, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>Creates the invoker of a model, through the model's own interface (no reflection).</summary>
    public static ModelInvoker Create(IModel model, Func<ModelError, bool> onError)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.CreateInvoker(onError)
            ?? throw new ArgumentException($"{model.GetType().Name} implements neither IModel<TInput, TOutput> nor IBatchModel<TInput, TOutput>.", nameof(model));
    }

    /// <summary>Reports a model error; returns <see langword="true"/> to go on (Skip policy).</summary>
    /// <summary>Reports a model error on one record; when the engine goes on (Skip policy) the record goes to the rejects stream.</summary>
    protected bool Fail(EngineSlot slot, RecordBatch batch, int index, Exception ex)
    {
        ReadOnlySpan<byte> record = batch.GetSpan(index);
        var error = new ModelError(slot.Slot, batch.GetSequenceNumber(index), RejectedRecord.MakePreview(record), $"{ex.GetType().Name}: {ex.Message}");
        bool carryOn = onError(error);
        if (carryOn)
        {
            Rejects?.AddModelError(slot.Slot, slot.Name, error, record, batch.GetMetadata(index), 1);
        }

        return carryOn;
    }

    /// <summary>Reports a model error on a batch model's batch; when the engine goes on the batch goes to the rejects stream (one document naming its records).</summary>
    protected bool FailBatch(EngineSlot slot, long firstRecord, int count, Exception ex)
    {
        var error = new ModelError(slot.Slot, firstRecord, $"batch of {count} records (records {firstRecord} and after)", $"{ex.GetType().Name}: {ex.Message}");
        bool carryOn = onError(error);
        if (carryOn)
        {
            Rejects?.AddModelError(slot.Slot, slot.Name, error, default, null, count);
        }

        return carryOn;
    }

    protected static string Describe(Exception ex) => $"{ex.GetType().Name}: {ex.Message}";

    protected static bool IsModelFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested;
}

internal sealed partial class RecordInvoker<TInput, TOutput>(IModel<TInput, TOutput> model, Func<ModelError, bool> onError) : ModelInvoker(onError)
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
                continue; // rejected: counted and reported by the stream
            }

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

            if (failure is not null && !Fail(slot, batch, i, failure))
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

internal sealed partial class BatchInvoker<TInput, TOutput>(IBatchModel<TInput, TOutput> model, Func<ModelError, bool> onError) : ModelInvoker(onError)
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

    public override ValueTask<bool> ProcessAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken) =>
        _replies[slot.Slot] is null
            ? AppendAsync(slot, input, batch, start, end, cancellationToken)
            : ProcessWithRepliesAsync(slot, input, batch, start, end, cancellationToken); // keeps the pending replies aligned with the pending records

    private async ValueTask<bool> AppendAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken)
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
                slot.PendingStarted(Time.GetTimestamp());
            }

            pending.Add(value);
            if (slot.Watermark is { } watermark && pending.Count >= watermark)
            {
                if (!await FlushAsync(slot, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                pending = _pending[slot.Slot]!;
            }
        }

        slot.SetPendingRecords(pending.Count);
        return true;
    }

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
        if (replies is not null && Outputs.Replies.Begin(replies.First(r => r is not null)) is null)
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

        bool carryOn = failure is null || FailBatch(slot, context.SequenceNumber, items.Count, failure);
        if (replies is not null)
        {
            Outputs.Replies.End(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(replies), failure is null ? null : Describe(failure));
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
