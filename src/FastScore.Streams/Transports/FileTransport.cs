using System.IO.Pipelines;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Transports;

/// <summary>The <c>file</c> transport: reads a file (seekable, loopable) or writes one (flushed and fsync'd on close).</summary>
internal sealed class FileTransportProvider : TransportProvider
{
    /// <summary>The read and write buffer size in bytes.</summary>
    public const int BufferSize = 64 * 1024;

    /// <inheritdoc />
    public override string Type => TransportTypes.File;

    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Fields { get; } = ["Path"];

    /// <inheritdoc />
    public override IReadOnlyList<LiteralTag> LiteralTags { get; } = [new("file", "file:/data/input.jsons")];

    /// <inheritdoc />
    protected internal override TransportDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new FileTransportDescriptor { Path = fields.RequiredString("Path") };
    }

    /// <inheritdoc />
    protected internal override void ExpandLiteral(LiteralContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string path = context.Details.StartsWith("///", StringComparison.Ordinal) ? context.Details[2..] : context.Details;
        if (path.Length == 0 || !System.IO.Path.IsPathFullyQualified(path))
        {
            throw context.Fail("needs an absolute path");
        }

        context.Transport.WriteStartObject();
        context.Transport.WriteString(nameof(Type), Type);
        context.Transport.WriteString("Path", path);
        context.Transport.WriteEndObject();
        context.EncodingSource = path;
    }

    /// <inheritdoc />
    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) =>
        new FileInput(((FileTransportDescriptor)descriptor.Transport).Path);

    /// <inheritdoc />
    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) =>
        new FileOutput(((FileTransportDescriptor)descriptor.Transport).Path);

    private sealed class FileInput(string path) : ByteInputTransport
    {
        public override bool CanSeek => true;

        public override string DisplayName => "file:" + path;

        public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
        {
            FileStream file;
            try
            {
                file = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.Open,
                    Access = FileAccess.Read,
                    Share = FileShare.ReadWrite | FileShare.Delete,
                    BufferSize = 0, // the pipe buffers
                    Options = FileOptions.SequentialScan,
                });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StreamException($"Cannot open '{path}' for reading: {ex.Message}", ex);
            }

            if (offset > 0)
            {
                file.Seek(offset, SeekOrigin.Begin);
            }

            return ValueTask.FromResult(PipeReader.Create(InlineFileStream.Wrap(file), new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: BufferSize / 4, leaveOpen: false)));
        }
    }

    /// <summary>
    /// Writes a file. Opening creates the file (and missing folders) so that an unwritable path fails at once, but an
    /// existing file is not truncated until the first bytes arrive, and an output that is disposed without being
    /// completed before anything was written removes the file and folders it created: a run that fails before its
    /// first record leaves the path as it found it. Completing with nothing written leaves an empty file.
    /// </summary>
    private sealed class FileOutput(string path) : ByteOutputTransport
    {
        private FileStream? _file;
        private OutputFileStream? _stream;
        private PipeWriter? _writer;
        private bool _created;
        private List<string>? _createdDirectories;
        private bool _completed;

        public override string DisplayName => "file:" + path;

        public override PipeWriter Writer => _writer ?? throw new InvalidOperationException("The output is not open.");

        public override ValueTask OpenAsync(CancellationToken cancellationToken)
        {
            try
            {
                CreateDirectories(Path.GetDirectoryName(Path.GetFullPath(path)));
                try
                {
                    _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.None);
                    _created = true;
                }
                catch (IOException) when (Path.Exists(path))
                {
                    // it exists: open it without truncating (that waits for the first bytes)
                    _file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.None);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StreamException($"Cannot open '{path}' for writing: {ex.Message}", ex);
            }

            _stream = new OutputFileStream(_file, truncateOnFirstWrite: !_created && _file.CanSeek);
            _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: BufferSize, leaveOpen: true));
            return default;
        }

        public override async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            if (_writer is null || _file is null)
            {
                return;
            }

            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            _file.Flush(flushToDisk: true);
        }

        public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            _stream?.TruncateIfNothingWritten(); // complete and empty: an existing file is now emptied
            _completed = true;
            await CloseAsync().ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            await CloseAsync().ConfigureAwait(false); // writes what the pipe still buffers
            if (!_completed && _stream is { Written: false })
            {
                RemoveWhatWasCreated();
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }

        private async ValueTask CloseAsync()
        {
            if (_writer is not null)
            {
                await _writer.CompleteAsync().ConfigureAwait(false);
                _writer = null;
            }

            if (_file is not null)
            {
                await _file.DisposeAsync().ConfigureAwait(false);
                _file = null;
            }
        }

        private void CreateDirectories(string? directory)
        {
            var missing = new List<string>();
            for (string? d = directory; !string.IsNullOrEmpty(d) && !Directory.Exists(d); d = Path.GetDirectoryName(d))
            {
                missing.Add(d);
            }

            for (int i = missing.Count - 1; i >= 0; i--)
            {
                Directory.CreateDirectory(missing[i]);
                (_createdDirectories ??= []).Add(missing[i]);
            }
        }

        // Aborted before anything was written: leave the path as it was found.
        private void RemoveWhatWasCreated()
        {
            try
            {
                if (_created)
                {
                    File.Delete(path);
                    _created = false;
                }

                for (int i = (_createdDirectories?.Count ?? 0) - 1; i >= 0; i--)
                {
                    string directory = _createdDirectories![i];
                    if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
                    {
                        Directory.Delete(directory);
                    }
                }

                _createdDirectories = null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // best effort: the run's own failure is what gets reported
            }
        }
    }

    /// <summary>
    /// The output file's stream: writes synchronously (see <see cref="InlineFileStream"/>) and, for a file that existed,
    /// truncates it only when the first bytes are written.
    /// </summary>
    private sealed class OutputFileStream(FileStream file, bool truncateOnFirstWrite) : ForwardWriteStream
    {
        private readonly Stream _inner = InlineFileStream.Wrap(file);
        private readonly WriteBehind? _writeBehind = file.CanSeek ? new WriteBehind(file.SafeFileHandle) : null; // a regular file, written from its start
        private bool _truncate = truncateOnFirstWrite;

        /// <summary>Gets a value indicating whether any bytes were written.</summary>
        public bool Written { get; private set; }

        /// <summary>Empties a file that existed when nothing was written (a completed, empty output).</summary>
        public void TruncateIfNothingWritten()
        {
            if (_truncate)
            {
                _truncate = false;
                if (file.Length != 0)
                {
                    file.SetLength(0); // not on an empty file: a character device such as /dev/null seeks, but refuses a truncate (EINVAL)
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            BeforeWrite(buffer.Length);
            _inner.Write(buffer);
            _writeBehind?.Wrote(buffer.Length);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            BeforeWrite(buffer.Length);
            ValueTask written = _inner.WriteAsync(buffer, cancellationToken);
            if (_writeBehind is null || !written.IsCompletedSuccessfully)
            {
                return written; // the regular file's write is synchronous (InlineFileStream): this is the rare path
            }

            written.GetAwaiter().GetResult();
            _writeBehind.Wrote(buffer.Length);
            return default;
        }

        public override void Flush() => _inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        private void BeforeWrite(int count)
        {
            if (count == 0 || Written)
            {
                return;
            }

            TruncateIfNothingWritten();
            Written = true;
        }
    }
}

/// <summary>
/// A regular file read and written synchronously by the stream's own task. On Unix every asynchronous file read or
/// write is a blocking call made on another thread-pool thread, so awaiting it costs a hand-off per buffer for
/// nothing; the stream's read (or write) loop already runs on its own task, and a regular file never blocks for long.
/// Pipes, terminals and other files that can block indefinitely keep the asynchronous path.
/// </summary>
internal sealed class InlineFileStream(FileStream file) : Stream
{
    public static Stream Wrap(FileStream file) => file.CanSeek ? new InlineFileStream(file) : file;

    public override bool CanRead => file.CanRead;

    public override bool CanSeek => file.CanSeek;

    public override bool CanWrite => file.CanWrite;

    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => file.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => file.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => file.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return new ValueTask<int>(file.Read(buffer.Span));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => file.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => file.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            file.Write(buffer.Span);
            return default;
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    public override void Flush() => file.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask; // nothing is buffered here

    public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

    public override void SetLength(long value) => file.SetLength(value);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await file.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false); // Dispose(true) again: FileStream disposal is idempotent
    }
}
