using System.IO.Pipelines;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using FastScore.Streams.Transports;

namespace FastScore.Streams.S3;

/// <summary>
/// The output side of the <c>s3</c> transport: a multipart upload streamed as records are written, completed by
/// <see cref="CompleteAsync"/>; disposed without completion (failure, cancellation) it is aborted, so no partial object appears.
/// </summary>
internal sealed class S3OutputTransport(S3Connection connection) : ByteOutputTransport
{
    private S3MultipartWriter? _writer;

    public override string DisplayName => connection.DisplayName;

    public override PipeWriter Writer => _writer ?? throw new InvalidOperationException("The output is not open.");

    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        IAmazonS3 client = connection.GetClient();
        try
        {
            // Fail early and clearly on a missing bucket or bad credentials. A 403 is not fatal: a writer may hold
            // s3:PutObject without s3:ListBucket, which HEAD needs.
            await client.HeadBucketAsync(new HeadBucketRequest { BucketName = connection.Bucket }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden && ex.ErrorCode is "AccessDenied" or "Forbidden" or null or "")
        {
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new S3StreamException($"S3 output {connection.DisplayName}: the bucket '{connection.Bucket}' does not exist (NoSuchBucket, HTTP 404).", ex, false)
            {
                StreamName = connection.StreamName,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw S3Errors.Wrap(ex, "output", connection.DisplayName, connection.StreamName);
        }

        _writer = new S3MultipartWriter(connection, client);
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
