using System.IO.Pipelines;
using Amazon.S3;
using Amazon.S3.Model;
using FastScore.Streams.Transports;

namespace FastScore.Streams.S3;

/// <summary>
/// The input side of the <c>s3</c> transport: the bytes of one object (or of every object under a key prefix ending
/// in <c>/</c>, in key order), streamed through the envelope. <c>SkipTo</c> is a ranged GET; <c>Loop</c> reads again from the start.
/// </summary>
internal sealed class S3InputTransport(S3Connection connection) : ByteInputTransport
{
    public override bool CanSeek => true;

    public override string DisplayName => connection.DisplayName;

    private bool IsPrefix => connection.ObjectKey.EndsWith('/');

    public override async ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        IAmazonS3 client = connection.GetClient();
        IReadOnlyList<S3SourceObject> objects = IsPrefix
            ? await ListAsync(client, cancellationToken).ConfigureAwait(false)
            : [new S3SourceObject(connection.ObjectKey)];
        S3ObjectReadStream stream = await S3ObjectReadStream.OpenAsync(connection, client, objects, offset, cancellationToken).ConfigureAwait(false);
        int size = connection.Options.ReadBufferSize;
        return PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: size, minimumReadSize: size / 4, leaveOpen: false));
    }

    public override ValueTask DisposeAsync()
    {
        connection.Dispose();
        return base.DisposeAsync();
    }

    private async Task<IReadOnlyList<S3SourceObject>> ListAsync(IAmazonS3 client, CancellationToken cancellationToken)
    {
        var objects = new List<S3SourceObject>();
        var request = new ListObjectsV2Request { BucketName = connection.Bucket, Prefix = connection.ObjectKey };
        try
        {
            ListObjectsV2Response page;
            do
            {
                page = await client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
                foreach (S3Object item in page.S3Objects ?? [])
                {
                    // "folder/" placeholders made by consoles hold no data.
                    if (!(item.Key.EndsWith('/') && item.Size is 0 or null))
                    {
                        objects.Add(new S3SourceObject(item.Key, item.Size, item.ETag));
                    }
                }

                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw S3Errors.Wrap(ex, "LIST", connection.DisplayName, connection.StreamName);
        }

        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        if (objects.Count == 0)
        {
            Log.PrefixEmpty(connection.Logger, connection.DisplayName);
        }
        else
        {
            Log.PrefixListed(connection.Logger, connection.DisplayName, objects.Count, objects.Sum(o => o.Size ?? 0));
        }

        return objects;
    }
}
