using System.Buffers;
using System.IO.Pipelines;

namespace FastScore.Streams.Transports;

/// <summary>
/// A <see cref="PipeWriter"/> over a stream whose writes are synchronous anyway (standard output): buffers what is
/// written and writes it to the stream with one synchronous <see cref="Stream.Write(ReadOnlySpan{byte})"/> per flush.
/// </summary>
/// <remarks>
/// <para>What <c>PipeWriter.Create(stream, leaveOpen: true)</c> does for such a stream, without its asynchronous flush
/// (<c>StreamPipeWriter.FlushAsyncInternal</c> and its pooled state machine over <see cref="FlushResult"/>: about 25
/// methods the JIT compiles just before the first record reaches standard output, since ReadyToRun cannot precompile
/// them). A console stream's asynchronous write is its synchronous write run on the thread pool, so nothing is lost by
/// writing on the caller's thread.</para>
/// <para>As the stream pipe writer: a flush after <see cref="CancelPendingFlush"/> returns a canceled result and writes
/// nothing; a canceled token gives a canceled task; <see cref="Complete"/> writes what is
/// buffered (unless completed with an exception) and leaves the stream open; a write error is thrown by the flush.</para>
/// </remarks>
internal sealed class SyncStreamPipeWriter(Stream stream) : PipeWriter
{
    private const int MinimumBufferSize = 4096;

    private byte[] _buffer = [];
    private int _buffered;
    private bool _completed;
    private volatile bool _cancelPending;

    /// <inheritdoc />
    public override bool CanGetUnflushedBytes => true;

    /// <inheritdoc />
    public override long UnflushedBytes => _buffered;

    /// <inheritdoc />
    public override void Advance(int bytes)
    {
        if ((uint)bytes > (uint)(_buffer.Length - _buffered))
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), "Advanced past the end of the buffer.");
        }

        _buffered += bytes;
    }

    /// <inheritdoc />
    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_buffered);
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_buffered);
    }

    /// <inheritdoc />
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (Interrupted(cancellationToken, out ValueTask<FlushResult> interrupted))
        {
            return interrupted;
        }

        WriteBuffered();
        return new ValueTask<FlushResult>(default(FlushResult));
    }

    /// <inheritdoc />
    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (Interrupted(cancellationToken, out ValueTask<FlushResult> interrupted))
        {
            return interrupted;
        }

        WriteBuffered();
        stream.Write(source.Span);
        return new ValueTask<FlushResult>(default(FlushResult));
    }

    // What a flush or a write returns before writing anything: completed (throws), a pending cancel, a canceled token.
    private bool Interrupted(CancellationToken cancellationToken, out ValueTask<FlushResult> result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_cancelPending)
        {
            _cancelPending = false;
            result = new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: false));
            return true;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            result = ValueTask.FromCanceled<FlushResult>(cancellationToken);
            return true;
        }

        result = default;
        return false;
    }

    /// <inheritdoc />
    public override void CancelPendingFlush() => _cancelPending = true;

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        try
        {
            if (exception is null)
            {
                WriteBuffered();
            }
        }
        finally
        {
            ReturnBuffer();
        }
    }

    private void WriteBuffered()
    {
        if (_buffered > 0)
        {
            int count = _buffered;
            _buffered = 0;
            stream.Write(_buffer, 0, count);
        }
    }

    private void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _buffered >= needed)
        {
            return;
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(MinimumBufferSize, Math.Max(_buffer.Length * 2, _buffered + needed)));
        _buffer.AsSpan(0, _buffered).CopyTo(bigger);
        ReturnBuffer();
        _buffer = bigger;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
