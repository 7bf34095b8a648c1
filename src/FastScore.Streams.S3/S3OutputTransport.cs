using System.IO.Pipelines;
using Amazon.S3;
using FastScore.Streams.Transports;

namespace FastScore.Streams.S3;

/// <summary>
/// The output side of the <c>s3</c> transport: a multipart upload created when the output opens (so a wrong bucket, key or
/// credentials fail before anything is scored), streamed as records are written, completed by <see cref="CompleteAsync"/>;
/// disposed without completion (failure, cancellation) it is aborted, so no partial object appears.
/// </summary>
internal sealed class S3OutputTransport(S3Connection connection) : ByteOutputTransport
{
    private S3MultipartWriter? _writer;

    public override string DisplayName => connection.DisplayName;

    public override PipeWriter Writer => _writer ?? throw new InvalidOperationException("The output is not open.");

    /// <summary>An upload that is not completed leaves no object: nothing written to it counts as written.</summary>
    public override bool IsAtomic => true;

    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        IAmazonS3 client = connection.GetClient();
        var writer = new S3MultipartWriter(connection, client);
        try
        {
            // Creating the multipart upload needs the bucket, valid credentials and the right to write this key:
            // everything that can be checked before writing (a HEAD of the bucket cannot tell bad keys from missing rights).
            await writer.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            writer.ReleaseBuffers();
            throw S3Errors.OpenFailed(ex, connection);
        }

        _writer = writer;
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken) =>
        _writer is null ? default : _writer.WaitForUploadsAsync(cancellationToken);

    public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            throw new InvalidOperationException("The output is not open.");
        }

        await _writer.CompleteUploadAsync(cancellationToken).ConfigureAwait(false);
        _writer.ReleaseBuffers();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_writer is { IsCompleted: false } writer)
        {
            await writer.AbortAsync().ConfigureAwait(false);
        }

        _writer = null;
        connection.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
