using System.IO.Pipelines;

namespace FastScore.Streams.Transports.Exec;

/// <summary>
/// exec input: runs <c>Run</c> with <c>Args</c> and reads the child's stdout (its stdin is closed at once). The
/// envelope cuts the bytes into records. The child exiting with code 0 ends the stream after its last byte; a
/// non-zero exit is a stream error carrying the tail of its stderr (the records before it are still delivered).
/// Disposing the input kills the child. Loop runs the program again.
/// </summary>
internal sealed class ExecInput(string streamName, string run, IReadOnlyList<string> args) : ByteInputTransport
{
    private ChildProcess? _child;

    public override string DisplayName => "exec:" + Diagnostics.SafeText.MaskSecrets(run);

    /// <summary>Gets the running child, or <see langword="null"/> (for tests).</summary>
    internal ChildProcess? Child => _child;

    public override async ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset != 0)
        {
            throw new NotSupportedException($"Stream '{streamName}': an exec input cannot start at an offset (SkipTo).");
        }

        if (_child is not null)
        {
            await _child.DisposeAsync().ConfigureAwait(false);
        }

        _child = ChildProcess.Start(streamName, run, args, readsStdin: false);
        return PipeReader.Create(new StdoutStream(_child), new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: false));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_child is not null)
        {
            await _child.DisposeAsync().ConfigureAwait(false);
            _child = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The child's stdout; at its end, waits for the exit code and fails on a non-zero one.</summary>
    private sealed class StdoutStream(ChildProcess child) : ForwardReadStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await child.StandardOutput.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0 && !buffer.IsEmpty)
            {
                int code = await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                if (code != 0)
                {
                    throw child.ExitError(code);
                }
            }

            return read;
        }
    }
}

/// <summary>
/// exec output: runs <c>Run</c> with <c>Args</c> and writes the framed records to the child's stdin (what the child
/// prints on stdout is drained and dropped). <see cref="FlushAsync"/> completes once the bytes are in the pipe;
/// completing the stream closes the child's stdin and waits for it to exit: code 0 is success, anything else (or a
/// child that exits while records are still coming) is a stream error carrying the tail of its stderr. Disposing
/// the output kills the child.
/// </summary>
internal sealed class ExecOutput(string streamName, string run, IReadOnlyList<string> args) : ByteOutputTransport
{
    private ChildProcess? _child;
    private StdinStream? _stdin;
    private PipeWriter? _writer;

    public override string DisplayName => "exec:" + Diagnostics.SafeText.MaskSecrets(run);

    /// <summary>Gets the running child, or <see langword="null"/> (for tests).</summary>
    internal ChildProcess? Child => _child;

    public override PipeWriter Writer => _writer ?? throw new InvalidOperationException("The output is not open.");

    public override ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        _child = ChildProcess.Start(streamName, run, args, readsStdin: true);
        _stdin = new StdinStream(_child);
        _writer = PipeWriter.Create(_stdin, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: false));
        return default;
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_writer is null || _child is null)
        {
            return;
        }

        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _writer.CompleteAsync().ConfigureAwait(false); // closes the child's stdin: its end of input
        _writer = null;
        int code = await _child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw _child.ExitError(code);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_stdin is not null)
        {
            _stdin.Abandoned = true; // not completed: what the pipe still holds is dropped, not written
        }

        if (_child is not null)
        {
            await _child.DisposeAsync().ConfigureAwait(false); // killed first: completing the writer cannot block on a full pipe
        }

        if (_writer is not null)
        {
            try
            {
                await _writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // the child is gone
            }

            _writer = null;
        }

        _child = null;
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The child's stdin; a write to a child that is gone fails with its exit code and stderr.</summary>
    private sealed class StdinStream(ChildProcess child) : ForwardWriteStream
    {
        private readonly Stream _stdin = child.StandardInput;

        /// <summary>Gets or sets a value indicating whether writes are dropped (the output is being disposed).</summary>
        public bool Abandoned { get; set; }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Write asynchronously.");

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Abandoned)
            {
                return;
            }

            try
            {
                await _stdin.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw await GoneAsync(ex, cancellationToken).ConfigureAwait(false);
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (Abandoned)
            {
                return;
            }

            try
            {
                await _stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw await GoneAsync(ex, cancellationToken).ConfigureAwait(false);
            }
        }

        public override void Flush() { }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                try
                {
                    _stdin.Dispose();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                {
                    // the child is gone
                }
            }

            base.Dispose(disposing);
        }

        private async Task<StreamException> GoneAsync(IOException ex, CancellationToken cancellationToken)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                int code = await child.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
                StreamException error = child.ExitError(code, "stopped reading its stdin before the records ended");
                return new StreamException(error.Message, ex) { StreamName = error.StreamName };
            }
            catch (OperationCanceledException)
            {
                return new StreamException($"Stream '{child.StreamName}': the exec child '{child.Run}' (Transport.Run) stopped reading its stdin: {ex.Message}.", ex) { StreamName = child.StreamName };
            }
        }
    }
}
