using FastScore.Streams.Encodings;

namespace FastScore.Streams.Engine;

/// <summary>
/// Captures what the model emits to one output slot while it scores records whose callers wait for them (a
/// <see cref="RecordReply"/>, from an input whose transport answers callers) and hands it to their replies instead of the
/// slot's stream. Used only for such inputs' batches: other batches never reach it.
/// </summary>
internal sealed class ReplyCapture(EngineOutputs outputs)
{
    private readonly List<ReadOnlyMemory<byte>> _captured = [];
    private readonly List<ReadOnlyMemory<byte>> _one = [default];
    private OutputBatch? _capture;
    private OutputStream? _stream;
    private OutputBatch? _saved;
    private int _slot = -1;

    /// <summary>Gets a value indicating whether outputs are being captured (between <see cref="Begin"/> and <see cref="End"/>).</summary>
    public bool IsCapturing => _slot >= 0;

    /// <summary>Gets the slot whose outputs are being captured, or -1.</summary>
    public int Slot => _slot;

    /// <summary>
    /// Starts capturing the outputs to <paramref name="reply"/>'s slot; when that slot has no stream, fails the reply and
    /// returns <see langword="null"/> (the record is then scored as usual).
    /// </summary>
    public RecordReply? Begin(RecordReply? reply)
    {
        if (reply is null)
        {
            return null;
        }

        int slot = reply.OutputSlot;
        if (outputs.StreamOf(slot) is not { } stream)
        {
            reply.OnFailed($"No stream is attached to output slot {slot}.");
            return null;
        }

        _slot = slot;
        _stream = stream;
        _capture ??= stream.CreateBatch();
        _capture.Clear();
        _saved = outputs.SwapBatch(slot, _capture); // what the model emits to the slot lands in the capture batch
        return reply;
    }

    /// <summary>
    /// Stops capturing and hands the captured outputs to the replies of the records scored together: all of them to a
    /// single record; output i to record i when counts match (outputs of records without a reply go to the stream);
    /// otherwise the outputs go to the stream and the replies fail. A failed model call fails the replies and drops the
    /// outputs. Control records emitted meanwhile have no place in a reply and are dropped.
    /// </summary>
    public void End(ReadOnlySpan<RecordReply?> replies, string? failure)
    {
        OutputStream stream = _stream!;
        OutputBatch capture = _capture!;
        int slot = _slot;
        outputs.SwapBatch(slot, _saved);
        _saved = null;
        _slot = -1;
        _stream = null;
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
                        outputs.Forward(slot, stream, _captured[i].Span);
                    }
                }
            }
            else
            {
                foreach (ReadOnlyMemory<byte> record in _captured)
                {
                    outputs.Forward(slot, stream, record.Span);
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

    /// <summary>Releases the capture batch (the run is over).</summary>
    public void Discard()
    {
        if (_slot >= 0)
        {
            outputs.SwapBatch(_slot, _saved); // the saved batch is released with the others
            _slot = -1;
        }

        _capture?.Dispose();
        _capture = null;
        _saved = null;
    }
}
