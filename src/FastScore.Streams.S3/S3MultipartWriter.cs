using System.IO.Pipelines;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace FastScore.Streams.S3;

/// <summary>
/// The <see cref="PipeWriter"/> of an S3 output. Framed bytes go straight into a part buffer; each full part
/// (<see cref="S3TransportOptions.PartSize"/>) is uploaded in the background while the next one fills, and
/// <see cref="FlushAsync"/> waits while more than <see cref="S3TransportOptions.MaxConcurrentPartUploads"/> are in flight
/// (backpressure). The multipart upload starts with the first full part; an output that never fills one is written by a
/// single PutObject on completion (so small and empty outputs still produce an object).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A PipeWriter ends with Complete/CompleteAsync, which dispose the abort source.")]
internal sealed class S3MultipartWriter : PipeWriter
{
    private const int FirstBufferSize = 64 * 1024;
    private readonly S3Connection _connection;
    private readonly IAmazonS3 _client;
    private readonly int _partSize;
    private readonly int _maxInFlight;
    private readonly Stack<byte[]> _free = new();
    private readonly List<Task<PartETag>> _parts = [];
    private readonly CancellationTokenSource _abort = new();
    private byte[] _part = [];
    private int _used;
    private byte[]? _spill;
    private Task<string>? _uploadId;
    private int _firstInFlight;
    private long _bytes;
    private bool _cancelFlush;
    private int _state; // 0 writing, 1 completed, 2 aborted

    public S3MultipartWriter(S3Connection connection, IAmazonS3 client)
    {
        _connection = connection;
        _client = client;
        _partSize = connection.Options.PartSize;
        _maxInFlight = connection.Options.MaxConcurrentPartUploads;
    }

    /// <summary>Gets a value indicating whether the object was written.</summary>
    public bool IsCompleted => _state == 1;

    private string Target => _connection.DisplayName;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        ThrowIfDone();
        int need = Math.Max(sizeHint, 1);
        if (_part.Length - _used < need && _part.Length < _partSize)
        {
            Grow(need); // the first part starts small so that small outputs stay small
        }

        if (_part.Length - _used >= need)
        {
            return _part.AsMemory(_used);
        }

        // Not enough room left in this part for one contiguous request: hand out a spill buffer, split on Advance.
        if (_spill is null || _spill.Length < need)
        {
            _spill = GC.AllocateUninitializedArray<byte>(Math.Max(need, 4096));
        }

        return _spill;
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ThrowIfDone();
        _bytes += bytes;
        if (_spill is not null)
        {
            ReadOnlySpan<byte> source = _spill.AsSpan(0, bytes);
            _spill = null;
            while (!source.IsEmpty)
            {
                int n = Math.Min(source.Length, _part.Length - _used);
                source[..n].CopyTo(_part.AsSpan(_used));
                _used += n;
                source = source[n..];
                if (_used == _partSize)
                {
                    SealPart();
                }
            }

            return;
        }

        if (_used + bytes > _part.Length)
        {
            throw new InvalidOperationException("Advanced past the memory handed out.");
        }

        _used += bytes;
        if (_used == _partSize)
        {
            SealPart();
        }
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDone();
        while (true)
        {
            ThrowIfFailed();
            Task<PartETag>? oldest = OldestInFlight(_maxInFlight);
            if (oldest is null)
            {
                break;
            }

            await WaitAsync(oldest, cancellationToken).ConfigureAwait(false);
            if (_cancelFlush)
            {
                _cancelFlush = false;
                return new FlushResult(isCanceled: true, isCompleted: false);
            }
        }

        return new FlushResult(isCanceled: false, isCompleted: false);
    }

    public override void CancelPendingFlush() => _cancelFlush = true;

    /// <summary>Nothing happens here: the output completes in <see cref="CompleteUploadAsync"/> and aborts in <see cref="AbortAsync"/>.</summary>
    public override void Complete(Exception? exception = null)
    {
    }

    /// <summary>Waits for every part sealed so far to be uploaded (the bytes of the part still filling are not yet durable).</summary>
    public async ValueTask WaitForUploadsAsync(CancellationToken cancellationToken)
    {
        while (OldestInFlight(0) is { } oldest)
        {
            await WaitAsync(oldest, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfFailed();
    }

    /// <summary>Writes the object: the last part and CompleteMultipartUpload, or one PutObject for an output smaller than a part.</summary>
    public async ValueTask CompleteUploadAsync(CancellationToken cancellationToken)
    {
        ThrowIfDone();
        try
        {
            if (_uploadId is null)
            {
                await PutObjectAsync(cancellationToken).ConfigureAwait(false);
                _state = 1;
                Log.UploadCompleted(_connection.Logger, Target, _bytes, 1);
                return;
            }

            if (_used > 0)
            {
                SealPart();
            }

            string uploadId = await _uploadId.WaitAsync(cancellationToken).ConfigureAwait(false);
            var etags = new List<PartETag>(_parts.Count);
            foreach (Task<PartETag> part in _parts)
            {
                etags.Add(await part.WaitAsync(cancellationToken).ConfigureAwait(false));
            }

            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _connection.Bucket,
                Key = _connection.ObjectKey,
                UploadId = uploadId,
                PartETags = etags,
            }, cancellationToken).ConfigureAwait(false);
            _state = 1;
            Log.UploadCompleted(_connection.Logger, Target, _bytes, etags.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw S3Errors.Wrap(ex, "upload to", Target, _connection.StreamName);
        }
    }

    /// <summary>Stops uploading and aborts the multipart upload: no object appears. A refusal by the server is logged.</summary>
    public async ValueTask AbortAsync()
    {
        if (_state != 0)
        {
            return;
        }

        _state = 2;
        await _abort.CancelAsync().ConfigureAwait(false);
        foreach (Task<PartETag> part in _parts)
        {
            try
            {
                await part.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // cancelled or failed: the upload is abandoned anyway
            }
        }

        string? uploadId = null;
        if (_uploadId is not null)
        {
            try
            {
                uploadId = await _uploadId.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // never started: nothing to abort
            }
        }

        if (uploadId is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                {
                    BucketName = _connection.Bucket,
                    Key = _connection.ObjectKey,
                    UploadId = uploadId,
                }, timeout.Token).ConfigureAwait(false);
                Log.UploadAborted(_connection.Logger, Target);
            }
            catch (Exception ex)
            {
                Log.AbortRefused(_connection.Logger, Target, S3Errors.Describe(ex));
            }
        }
        else
        {
            Log.UploadAborted(_connection.Logger, Target);
        }

        ReleaseBuffers();
    }

    /// <summary>Releases the buffers after completion or abort.</summary>
    public void ReleaseBuffers()
    {
        _part = [];
        _spill = null;
        _free.Clear();
        _abort.Dispose();
    }

    private void Grow(int need)
    {
        int size = Math.Max(_part.Length, FirstBufferSize);
        while (size - _used < need && size < _partSize)
        {
            size = (int)Math.Min((long)size * 2, _partSize);
        }

        byte[] bigger = size == _partSize ? TakeBuffer() : GC.AllocateUninitializedArray<byte>(size);
        _part.AsSpan(0, _used).CopyTo(bigger);
        _part = bigger;
    }

    private byte[] TakeBuffer()
    {
        lock (_free)
        {
            if (_free.TryPop(out byte[]? buffer))
            {
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>(_partSize);
    }

    private void SealPart()
    {
        byte[] buffer = _part;
        int length = _used;
        _part = TakeBuffer();
        _used = 0;
        if (_uploadId is null)
        {
            _uploadId = InitiateAsync(_abort.Token);
        }

        _parts.Add(UploadPartAsync(_parts.Count + 1, buffer, length, _abort.Token));
    }

    private async Task<string> InitiateAsync(CancellationToken cancellationToken)
    {
        InitiateMultipartUploadResponse response = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _connection.Bucket,
            Key = _connection.ObjectKey,
        }, cancellationToken).ConfigureAwait(false);
        Log.UploadStarted(_connection.Logger, Target);
        return response.UploadId;
    }

    private async Task<PartETag> UploadPartAsync(int number, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            string uploadId = await _uploadId!.ConfigureAwait(false);
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            var request = new UploadPartRequest
            {
                BucketName = _connection.Bucket,
                Key = _connection.ObjectKey,
                UploadId = uploadId,
                PartNumber = number,
                PartSize = length,
                InputStream = body,
                UseChunkEncoding = false, // plain signed body: aws-chunked framing is stored verbatim by some S3-compatible stores
                MD5Digest = _connection.IntegrityChecks ? Md5(buffer.AsSpan(0, length)) : null,
            };
            UploadPartResponse response = await _client.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
            return new PartETag(response);
        }
        finally
        {
            lock (_free)
            {
                if (_state == 0 && buffer.Length == _partSize)
                {
                    _free.Push(buffer);
                }
            }
        }
    }

    private async Task PutObjectAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(_part, 0, _used, writable: false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _connection.Bucket,
            Key = _connection.ObjectKey,
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
            MD5Digest = _connection.IntegrityChecks ? Md5(_part.AsSpan(0, _used)) : null,
        }, linked.Token).ConfigureAwait(false);
    }

    private static string Md5(ReadOnlySpan<byte> bytes)
    {
#pragma warning disable CA5351 // Content-MD5 is what S3 checks; it is an integrity check, not a security one.
        return Convert.ToBase64String(MD5.HashData(bytes));
#pragma warning restore CA5351
    }

    /// <summary>Returns the oldest part still uploading when more than <paramref name="allowed"/> are, else null.</summary>
    private Task<PartETag>? OldestInFlight(int allowed)
    {
        while (_firstInFlight < _parts.Count && _parts[_firstInFlight].IsCompleted)
        {
            _firstInFlight++;
        }

        int inFlight = 0;
        for (int i = _firstInFlight; i < _parts.Count; i++)
        {
            if (!_parts[i].IsCompleted)
            {
                inFlight++;
            }
        }

        return inFlight > allowed ? _parts[_firstInFlight] : null;
    }

    private static async Task WaitAsync(Task task, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // surfaced by ThrowIfFailed
        }
    }

    private void ThrowIfFailed()
    {
        Task? failed = _uploadId is { IsFaulted: true } ? _uploadId : _parts.FirstOrDefault(p => p.IsFaulted);
        if (failed is not null)
        {
            Exception error = failed.Exception!.InnerException ?? failed.Exception;
            throw S3Errors.Wrap(error, "upload to", Target, _connection.StreamName);
        }
    }

    private void ThrowIfDone()
    {
        if (_state != 0)
        {
            throw new InvalidOperationException(_state == 1 ? "The S3 output is already completed." : "The S3 output was aborted.");
        }
    }
}
