using FastScore.Streams.Engine;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Rest.Transports;

/// <summary>What became of a round-trip record.</summary>
internal enum RoundTripOutcome
{
    /// <summary>Scored: the outputs (possibly none) are in the result.</summary>
    Scored,

    /// <summary>Rejected by encoding or schema (HTTP 400).</summary>
    Rejected,

    /// <summary>The model threw (HTTP 500).</summary>
    ModelError,

    /// <summary>The stream closed before the record was scored: engine stopped, reset, or stream replaced (HTTP 503).</summary>
    Unavailable,
}

/// <summary>The result of one round trip.</summary>
internal readonly record struct RoundTripResult(RoundTripOutcome Outcome, byte[][] Outputs, string? Message);

/// <summary>The engine's answer for one REST round-trip record, completed once, on the engine's task.</summary>
internal sealed class RoundTripReply(int outputSlot) : RecordReply(outputSlot)
{
    private readonly TaskCompletionSource<RoundTripResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RestMessageInput? Owner { get; set; }

    public Task<RoundTripResult> Task => _done.Task;

    public override void OnScored(IReadOnlyList<ReadOnlyMemory<byte>> outputs)
    {
        byte[][] copies = outputs.Count == 0 ? [] : new byte[outputs.Count][];
        for (int i = 0; i < copies.Length; i++)
        {
            copies[i] = outputs[i].ToArray();
        }

        Complete(new RoundTripResult(RoundTripOutcome.Scored, copies, null));
    }

    public override void OnRejected(RejectedRecord rejection) =>
        Complete(new RoundTripResult(RoundTripOutcome.Rejected, [],
            $"rejected by {(rejection.Kind == RejectionKind.Schema ? "schema" : "encoding")}: {rejection.Reason}"));

    public override void OnFailed(string message) => Complete(new RoundTripResult(RoundTripOutcome.ModelError, [], message));

    public void Abandon(string message) => Complete(new RoundTripResult(RoundTripOutcome.Unavailable, [], message));

    private void Complete(RoundTripResult result)
    {
        if (_done.TrySetResult(result))
        {
            Owner?.Forget(this);
        }
    }
}

/// <summary>The metadata of a round-trip record's message: it carries the reply the engine hands the record's outcome to (see <see cref="RestMessageInput"/>).</summary>
internal sealed class RoundTripMetadata(RoundTripReply reply) : MessageMetadata
{
    public RoundTripReply Reply { get; } = reply;
}
