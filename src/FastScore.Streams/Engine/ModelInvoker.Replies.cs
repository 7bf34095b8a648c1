namespace FastScore.Streams.Engine;

// The invokers' loops for inputs that answer callers (InputStream.AnswersCallers: the REST round trip). They score as the
// plain loops do, and also route each record's outputs or model error to the record's RecordReply. Only such inputs'
// batches come here, so the plain loops carry no reply code at all.

internal sealed partial class RecordInvoker<TInput, TOutput>
{
    public override async ValueTask<bool> ProcessWithRepliesAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken)
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
                continue; // rejected: counted, reported and the waiting caller told by the stream
            }

            RecordReply? reply = outputs.Replies.Begin(input.FindReply(batch.GetMetadata(i)));
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
            bool carryOn = failure is null || Fail(slot, batch, i, failure);
            if (reply is not null)
            {
                outputs.Replies.End(new ReadOnlySpan<RecordReply?>(ref reply), failure is null ? null : Describe(failure));
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

internal sealed partial class BatchInvoker<TInput, TOutput>
{
    public override bool HasPendingReply(int slot) => (uint)slot < (uint)_replies.Length && _replies[slot] is not null;

    public override async ValueTask<bool> ProcessWithRepliesAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken)
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
            RecordReply? reply = input.FindReply(batch.GetMetadata(i));
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

        slot.SetPendingRecords(pending.Count);
        return true;
    }
}
