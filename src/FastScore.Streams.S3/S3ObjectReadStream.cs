using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace FastScore.Streams.S3;

/// <summary>One object of an input: its key, and (once known) its size and ETag.</summary>
internal sealed class S3SourceObject(string key, long? size = null, string? etag = null)
{
    public string Key { get; } = key;

    public long? Size { get; set; } = size;

    public string? ETag { get; set; } = etag;
}

/// <summary>
/// A read-only stream over one or more objects read one after another (a prefix input), streamed by GET: never loaded
/// whole. A dropped connection, a read timeout or a transient S3 error is retried with a ranged GET from the exact byte
/// reached (<c>If-Match</c> the ETag first seen, so a changed object is an error rather than a silent splice), with
/// exponential backoff, up to <see cref="S3TransportOptions.MaxReadRetries"/> times in a row without progress.
/// </summary>
internal sealed class S3ObjectReadStream : Stream
{
    private static readonly TimeSpan s_maxDelay = TimeSpan.FromSeconds(10);
    private readonly S3Connection _connection;
    private readonly IAmazonS3 _client;
    private readonly IReadOnlyList<S3SourceObject> _objects;
    private readonly S3TransportOptions _options;
    private int _index;
    private long _position;
    private GetObjectResponse? _response;
    private Stream? _body;
    private int _failures;

    private S3ObjectReadStream(S3Connection connection, IAmazonS3 client, IReadOnlyList<S3SourceObject> objects, int index, long position)
    {
        _connection = connection;
        _client = client;
        _objects = objects;
        _options = connection.Options;
        _index = index;
        _position = position;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Opens the objects at a byte offset of their concatenation; the first GET is issued here, so a missing bucket or key, or bad credentials, fail at open.</summary>
    public static async ValueTask<S3ObjectReadStream> OpenAsync(S3Connection connection, IAmazonS3 client, IReadOnlyList<S3SourceObject> objects, long offset, CancellationToken cancellationToken)
    {
        int index = 0;
        long position = offset;
        while (index < objects.Count && objects[index].Size is { } size && position >= size && index < objects.Count - 1)
        {
            position -= size;
            index++;
        }

        var stream = new S3ObjectReadStream(connection, client, objects, index, position);
        try
        {
            if (objects.Count > 0)
            {
                await stream.OpenCurrentWithRetriesAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return stream;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_index < _objects.Count)
        {
            if (_body is null)
            {
                await OpenCurrentWithRetriesAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            int read;
            try
            {
                read = await ReadBodyAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && S3Errors.IsTransient(ex))
            {
                await BackOffAsync(ex, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (read > 0)
            {
                _position += read;
                _failures = 0;
                return read;
            }

            S3SourceObject current = _objects[_index];
            if (current.Size is { } size && _position < size)
            {
                // The body ended early: the connection was closed mid-object.
                await BackOffAsync(new IOException($"the connection closed at byte {_position} of {size}"), cancellationToken).ConfigureAwait(false);
                continue;
            }

            NextObject();
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override ValueTask DisposeAsync()
    {
        CloseResponse();
        return base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseResponse();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ReadTimeout);
        try
        {
            return await _body!.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no bytes arrived for {_options.ReadTimeout.TotalSeconds:0.#} s", ex);
        }
    }

    private async ValueTask OpenCurrentWithRetriesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await OpenCurrentAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not StreamException && S3Errors.IsTransient(ex))
            {
                await BackOffAsync(ex, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task OpenCurrentAsync(CancellationToken cancellationToken)
    {
        S3SourceObject current = _objects[_index];
        if (current.Size is { } size && _position >= size)
        {
            NextObject(); // an empty object, or SkipTo at or past its end
            return;
        }

        var request = new GetObjectRequest { BucketName = _connection.Bucket, Key = current.Key, EtagToMatch = current.ETag };
        if (_position > 0)
        {
            request.ByteRange = new ByteRange("bytes=" + _position.ToString(CultureInfo.InvariantCulture) + "-");
        }
        else if (_connection.IntegrityChecks)
        {
            request.ChecksumMode = ChecksumMode.ENABLED; // the SDK checks the whole object's stored checksum, when it has one
        }
        else
        {
            // An open range from byte 0: the same bytes, but the SDK does not MD5 the whole body against a single-part
            // ETag (about as much CPU as the rest of reading). A 416 for an empty object is handled below as its end.
            request.ByteRange = new ByteRange("bytes=0-");
        }

        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && current.ETag is null)
        {
            NextObject(); // SkipTo at or past the end of the object
            return;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed
                                           || (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && current.ETag is not null))
        {
            // 412: If-Match failed. 416 on a resume: the object shrank (some stores check the range before If-Match).
            throw new S3StreamException($"S3 input {_connection.Target(current.Key)}: the object changed while it was being read (its ETag no longer matches); reading stopped at byte {_position}.", ex, false)
            {
                StreamName = _connection.StreamName,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !S3Errors.IsTransient(ex))
        {
            throw S3Errors.Wrap(ex, "GET", _connection.Target(current.Key), _connection.StreamName);
        }

        long? total = TotalSize(response, _position);
        if ((current.ETag is { } etag && response.ETag is { } seen && !SameETag(etag, seen))
            || (current.Size is { } known && total is { } now && known != now))
        {
            // Stores that ignore If-Match (s3rver) answer with the new object: never splice two versions.
            response.Dispose();
            throw new S3StreamException($"S3 input {_connection.Target(current.Key)}: the object changed while it was being read (its ETag or size no longer matches); reading stopped at byte {_position}.", null, false)
            {
                StreamName = _connection.StreamName,
            };
        }

        current.ETag ??= response.ETag;
        current.Size ??= total;
        _response = response;
        _body = response.ResponseStream;
    }

    private static bool SameETag(string a, string b) => a.Trim('"').Equals(b.Trim('"'), StringComparison.Ordinal);

    private static long? TotalSize(GetObjectResponse response, long position)
    {
        // "bytes 100-199/1000" for a ranged GET; the whole body otherwise.
        string? range = response.ContentRange;
        if (range is not null && range.LastIndexOf('/') is var slash and >= 0
            && long.TryParse(range.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long total))
        {
            return total;
        }

        return response.ContentLength >= 0 ? position + response.ContentLength : null;
    }

    private async Task BackOffAsync(Exception error, CancellationToken cancellationToken)
    {
        CloseResponse();
        _failures++;
        string target = _connection.Target(_objects[_index].Key);
        if (_failures > _options.MaxReadRetries)
        {
            throw new S3StreamException(
                $"S3 input {target}: reading failed at byte {_position} after {_options.MaxReadRetries} retries: {S3Errors.Describe(error).TrimEnd('.')}.", error, true)
            {
                StreamName = _connection.StreamName,
            };
        }

        double factor = Math.Pow(2, _failures - 1);
        TimeSpan delay = TimeSpan.FromTicks((long)Math.Min(_options.RetryDelay.Ticks * factor, s_maxDelay.Ticks));
        Log.ReadRetry(_connection.Logger, target, S3Errors.Describe(error), _position, (long)delay.TotalMilliseconds, _failures, _options.MaxReadRetries);
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
    }

    private void NextObject()
    {
        CloseResponse();
        _index++;
        _position = 0;
    }

    private void CloseResponse()
    {
        _body = null;
        _response?.Dispose();
        _response = null;
    }
}
