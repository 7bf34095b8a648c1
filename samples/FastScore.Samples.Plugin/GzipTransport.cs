using System.IO.Compression;
using System.IO.Pipelines;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Samples.Plugin;

/// <summary>
/// The <c>gzip</c> transport's descriptor: a gzip-compressed file, read decompressed (an envelope cuts the records) or
/// written compressed. <c>{"Type": "gzip", "Path": "/data/in.kv.gz", "Level": "fastest"}</c>.
/// </summary>
public sealed record GzipTransportDescriptor : TransportDescriptor
{
    /// <summary>The transport's type name.</summary>
    public const string TypeName = "gzip";

    /// <summary>The names <see cref="Level"/> is written with, in the order shown in errors.</summary>
    public static IReadOnlyList<string> LevelNames { get; } = ["optimal", "fastest", "smallest", "none"];

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>Gets the absolute path of the compressed file.</summary>
    public required string Path { get; init; }

    /// <summary>Gets how hard an output compresses (ignored on input).</summary>
    /// <value>The default value is <see cref="CompressionLevel.Optimal"/>.</value>
    public CompressionLevel Level { get; init; } = CompressionLevel.Optimal;

    /// <inheritdoc />
    /// <remarks>A byte stream: the descriptor's envelope cuts it into records.</remarks>
    public override bool PreservesRecordBoundaries => false;

    /// <inheritdoc />
    /// <remarks><c>SkipTo</c> counts decompressed bytes; <c>Loop</c> decompresses the file again from its start.</remarks>
    public override bool IsSeekable => true;

    /// <summary>Gets the descriptor name of a level (<c>optimal</c>, <c>fastest</c>, <c>smallest</c>, <c>none</c>).</summary>
    /// <param name="level">The level.</param>
    /// <returns>The name.</returns>
    public static string LevelName(CompressionLevel level) => level switch
    {
        CompressionLevel.Fastest => "fastest",
        CompressionLevel.SmallestSize => "smallest",
        CompressionLevel.NoCompression => "none",
        _ => "optimal",
    };

    /// <summary>Parses a level name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="level">The level, when known.</param>
    /// <returns>Whether the name is one of <see cref="LevelNames"/>.</returns>
    public static bool TryParseLevel(string name, out CompressionLevel level)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.Trim().ToUpperInvariant())
        {
            case "OPTIMAL":
                level = CompressionLevel.Optimal;
                return true;
            case "FASTEST":
                level = CompressionLevel.Fastest;
                return true;
            case "SMALLEST":
                level = CompressionLevel.SmallestSize;
                return true;
            case "NONE":
                level = CompressionLevel.NoCompression;
                return true;
            default:
                level = CompressionLevel.Optimal;
                return false;
        }
    }

    /// <inheritdoc />
    protected override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(Path) || !System.IO.Path.IsPathFullyQualified(Path))
        {
            errors.Add("Path", $"must be an absolute path, e.g. \"/data/input.kv.gz\"; found {DescriptorErrors.Quote(Path ?? string.Empty)}.");
        }
        else if (Path.EndsWith('/'))
        {
            errors.Add("Path", $"must name a file, not a folder; found {DescriptorErrors.Quote(Path)}.");
        }

        if (!Enum.IsDefined(Level))
        {
            errors.Add("Level", $"expected one of {string.Join(", ", LevelNames)}; found {(int)Level}.");
        }
    }

    /// <inheritdoc />
    protected override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Path", Path);
        writer.WriteString("Level", LevelName(Level));
    }
}

/// <summary>
/// The <c>gzip</c> transport: reads a gzip file decompressed (seekable by decompressed offset, loopable), writes one
/// compressed, all or nothing (a temporary file next to the target, renamed over it when the stream completes).
/// Literal: <c>gzip:/data/input.kv.gz</c>.
/// </summary>
public sealed class GzipTransportProvider : TransportProvider
{
    private const int BufferSize = 64 * 1024;

    /// <inheritdoc />
    public override string Type => GzipTransportDescriptor.TypeName;

    /// <inheritdoc />
    /// <remarks><c>gz</c> is accepted too.</remarks>
    public override IReadOnlyList<ComponentAlias> Aliases { get; } = [new("gz")];

    /// <inheritdoc />
    public override IReadOnlyList<string>? Fields { get; } = ["Path", "Level"];

    /// <inheritdoc />
    public override IReadOnlyList<LiteralTag> LiteralTags { get; } = [new("gzip", "gzip:/data/input.jsons.gz")];

    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <inheritdoc />
    protected override TransportDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        string path = fields.RequiredString("Path", "an absolute path");
        CompressionLevel level = CompressionLevel.Optimal;
        if (fields.OptionalString("Level") is { } name && !GzipTransportDescriptor.TryParseLevel(name, out level))
        {
            fields.Errors.Add("Level", $"expected one of {string.Join(", ", GzipTransportDescriptor.LevelNames)}; found {DescriptorErrors.Quote(name)}.{DescriptorErrors.DidYouMean(name, GzipTransportDescriptor.LevelNames)}");
        }

        return new GzipTransportDescriptor { Path = path, Level = level };
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>gzip:/abs/path</c> (or <c>gzip:///abs/path</c>); the encoding is guessed from the path without its
    /// <c>.gz</c> ending (<c>in.utf8.gz</c>: utf-8).
    /// </remarks>
    protected override void ExpandLiteral(LiteralContext context)
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
        context.EncodingSource = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
    }

    /// <inheritdoc />
    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(context);
        return new GzipInput(context.StreamName, (GzipTransportDescriptor)descriptor.Transport);
    }

    /// <inheritdoc />
    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(context);
        return new GzipOutput(context.StreamName, (GzipTransportDescriptor)descriptor.Transport);
    }

    private static StreamException Error(string stream, string field, string reason, Exception? inner = null) =>
        new($"Stream '{stream}': gzip Transport.{field} {reason}.", inner) { StreamName = stream };

    private sealed class GzipInput(string stream, GzipTransportDescriptor gzip) : ByteInputTransport
    {
        public override bool CanSeek => true;

        public override string DisplayName => "gzip:" + gzip.Path;

        public override async ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
        {
            FileStream file;
            try
            {
                file = new FileStream(gzip.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: BufferSize, useAsync: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw Error(stream, "Path", $"'{gzip.Path}' cannot be opened for reading: {ex.Message}", ex);
            }

            var decompressed = new CheckedGzipStream(stream, gzip.Path, file);
            try
            {
                // SkipTo counts decompressed bytes: they are read and dropped.
                byte[] skip = new byte[Math.Min(offset, BufferSize)];
                for (long left = offset; left > 0;)
                {
                    int n = await decompressed.ReadAsync(skip.AsMemory(0, (int)Math.Min(left, skip.Length)), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    left -= n;
                }
            }
            catch
            {
                await decompressed.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return PipeReader.Create(decompressed, new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: BufferSize / 4, leaveOpen: false));
        }
    }

    /// <summary>The decompressed bytes of a file; corrupt gzip data becomes a stream error naming the stream and the field.</summary>
    private sealed class CheckedGzipStream(string stream, string path, FileStream file) : Stream
    {
        private readonly GZipStream _gzip = new(file, CompressionMode.Decompress, leaveOpen: false);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return _gzip.Read(buffer);
            }
            catch (InvalidDataException ex)
            {
                throw Corrupt(ex);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // A regular file never blocks for long: read on the stream's own task (as the core's file transport does).
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<int>(cancellationToken);
            }

            try
            {
                return new ValueTask<int>(Read(buffer.Span));
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<int>(ex);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _gzip.Dispose();
            }

            base.Dispose(disposing);
        }

        private StreamException Corrupt(InvalidDataException ex)
        {
            long at = file.CanSeek ? file.Position : -1;
            return Error(stream, "Path", $"'{path}' is not valid gzip data (near compressed byte {at}): {ex.Message}", ex);
        }
    }

    /// <summary>Writes a temporary file next to the target; completing renames it over the target, disposing without completing removes it.</summary>
    private sealed class GzipOutput(string stream, GzipTransportDescriptor gzip) : ByteOutputTransport
    {
        private string? _temporary;
        private FileStream? _file;
        private GZipStream? _compressor;
        private PipeWriter? _writer;

        public override string DisplayName => "gzip:" + gzip.Path;

        public override PipeWriter Writer => _writer ?? throw new InvalidOperationException("The output is not open.");

        /// <summary>All or nothing: the target appears (or is replaced) only when the stream completes.</summary>
        public override bool IsAtomic => true;

        public override ValueTask OpenAsync(CancellationToken cancellationToken)
        {
            string? folder = System.IO.Path.GetDirectoryName(gzip.Path);
            if (folder is null || !Directory.Exists(folder))
            {
                throw Error(stream, "Path", $"'{gzip.Path}' cannot be written: the folder '{folder}' does not exist");
            }

            if (Directory.Exists(gzip.Path))
            {
                throw Error(stream, "Path", $"'{gzip.Path}' is a folder");
            }

            _temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(gzip.Path)}.{Guid.NewGuid():N}.tmp");
            try
            {
                _file = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _temporary = null;
                throw Error(stream, "Path", $"'{gzip.Path}' cannot be written: {ex.Message}", ex);
            }

            _compressor = new GZipStream(_file, gzip.Level, leaveOpen: true);
            _writer = PipeWriter.Create(_compressor, new StreamPipeWriterOptions(minimumBufferSize: BufferSize, leaveOpen: true));
            return default;
        }

        public override async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            if (_writer is null || _compressor is null || _file is null)
            {
                return;
            }

            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            await _compressor.FlushAsync(cancellationToken).ConfigureAwait(false); // a sync flush: every byte so far can be decompressed
            _file.Flush(flushToDisk: true);
        }

        public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
        {
            if (_writer is null || _compressor is null || _file is null || _temporary is null)
            {
                throw new InvalidOperationException("The output is not open.");
            }

            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            await _writer.CompleteAsync().ConfigureAwait(false);
            _writer = null;
            await _compressor.DisposeAsync().ConfigureAwait(false); // writes the gzip trailer
            _compressor = null;
            _file.Flush(flushToDisk: true);
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
            try
            {
                File.Move(_temporary, gzip.Path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw Error(stream, "Path", $"'{gzip.Path}' cannot be replaced: {ex.Message}", ex);
            }

            _temporary = null;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_writer is not null)
            {
                await _writer.CompleteAsync().ConfigureAwait(false);
                _writer = null;
            }

            if (_compressor is not null)
            {
                await _compressor.DisposeAsync().ConfigureAwait(false);
                _compressor = null;
            }

            if (_file is not null)
            {
                await _file.DisposeAsync().ConfigureAwait(false);
                _file = null;
            }

            if (_temporary is not null)
            {
                try
                {
                    File.Delete(_temporary); // aborted: the target is left as it was
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // best effort: the run's own failure is what gets reported
                }

                _temporary = null;
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
