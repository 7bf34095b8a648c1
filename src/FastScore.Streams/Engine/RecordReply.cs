namespace FastScore.Streams.Engine;

/// <summary>
/// A caller waiting for what one input record produced: on-demand scoring (a REST round trip). A message input
/// transport that answers callers (<see cref="Transports.MessageInputTransport.AnswersCallers"/>) returns one for a
/// record from <see cref="Transports.MessageInputTransport.FindReply"/>; the engine then captures every output the model
/// emits to <see cref="OutputSlot"/> while it scores that record and hands them to <see cref="OnScored"/> instead of
/// writing them to the slot's stream. Exactly one of the three callbacks is called for a record that reaches the engine.
/// </summary>
/// <remarks>
/// <para>Each record carries its own reply, so results cannot cross between concurrent callers: correlation is by
/// object identity, not by position or id. Outputs to other slots are written to their streams as usual.</para>
/// <para>The callbacks run on the engine's task, between two records: they must be quick and must not block
/// (complete a <see cref="TaskCompletionSource"/> created with
/// <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>, copy the bytes, return).</para>
/// <para>A record may never reach a callback: the engine can be reset or stopped while the record waits, or the stream
/// replaced. The transport that created the reply fails the replies still pending when it is disposed, and the caller
/// should wait with a timeout.</para>
/// <para>Batch models (<see cref="IBatchModel{TInput, TOutput}"/>): a batch holding one record gives it every output;
/// a batch of n records that emits n outputs to the slot gives output i to record i (outputs of records without a
/// reply go to the stream); any other count fails the batch's replies (the outputs then go to the stream).</para>
/// </remarks>
public abstract class RecordReply
{
    /// <summary>Creates a reply for outputs to <paramref name="outputSlot"/>.</summary>
    /// <param name="outputSlot">The odd output slot whose outputs are returned to the caller.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSlot"/> is not an odd, positive slot number.</exception>
    protected RecordReply(int outputSlot)
    {
        if (outputSlot < 1 || outputSlot % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outputSlot), outputSlot, "Outputs are odd slots (1, 3, 5...).");
        }

        OutputSlot = outputSlot;
    }

    /// <summary>Gets the output slot whose outputs for this record are captured for the caller.</summary>
    public int OutputSlot { get; }

    /// <summary>Called when the record has been scored (or was a control record, with no outputs).</summary>
    /// <param name="outputs">The encoded, schema-checked outputs the model emitted to <see cref="OutputSlot"/> for the record,
    /// in order (control records excluded). The bytes are valid only during the call: copy what you keep.</param>
    public abstract void OnScored(IReadOnlyList<ReadOnlyMemory<byte>> outputs);

    /// <summary>Called when the record was rejected by encoding or schema (it never reached the model).</summary>
    /// <param name="rejection">The rejection, with its reason.</param>
    public abstract void OnRejected(RejectedRecord rejection);

    /// <summary>Called when the model threw on the record, or its outputs could not be attributed to it (batch models).</summary>
    /// <param name="message">The exception's type and message, or why the outputs could not be attributed.</param>
    public abstract void OnFailed(string message);
}
