using System.IO.Pipelines;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Transports;

/// <summary>The <c>file</c> transport: reads a file (seekable, loopable) or writes one (flushed and fsync'd on close).</summary>
public sealed class FileTransportProvider : TransportProvider
{
    /// <summary>The read and write buffer size in bytes.</summary>
    public const int BufferSize = 64 * 1024;

    /// <inheritdoc />
    public override string Type => TransportTypes.File;

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
                    Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
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

            return ValueTask.FromResult(PipeReader.Create(file, new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: BufferSize / 4, leaveOpen: false)));
        }
    }

    private sealed class FileOutput(string path) : ByteOutputTransport
    {
        private FileStream? _file;
        private PipeWriter? _writer;

        public override string DisplayName => "file:" + path;

        public override PipeWriter Writer => _writer ?? throw new InvalidOperationException("The output is not open.");

        public override ValueTask OpenAsync(CancellationToken cancellationToken)
        {
            try
            {
                string? dir = Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(dir))
                {
                    Directory.CreateDirectory(dir);
                }

                _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StreamException($"Cannot open '{path}' for writing: {ex.Message}", ex);
            }

            _writer = PipeWriter.Create(_file, new StreamPipeWriterOptions(minimumBufferSize: BufferSize, leaveOpen: true));
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

        public override async ValueTask DisposeAsync()
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
    }
}
