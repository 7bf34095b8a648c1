using System.IO.Pipelines;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace FastScore.Streams.S3;

/// <summary>
/// The <see cref="PipeWriter"/> of an S3 output. The multipart upload is created when the output opens
/// (<see cref="StartAsync"/>), so a missing bucket, wrong credentials or a key the credentials may not write fail before
/// anything is scored. Framed bytes go straight into a part buffer; each full part
/// (<see cref="S3TransportOptions.PartSize"/>) is uploaded in the background while the next one fills, and
/// <see cref="FlushAsync"/> waits while more than <see cref="S3TransportOptions.MaxConcurrentPartUploads"/> are in flight
/// (backpressure). Completion uploads what is left as the last part (any size, even empty). Every request is retried
/// after a dropped connection or a transient S3 error, with the input's backoff, up to
/// <see cref="S3TransportOptions.MaxWriteRetries"/> times in a row.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A PipeWriter ends with Complete/CompleteAsync, which dispose the abort source.")]
internal sealed class S3MultipartWriter : PipeWriter
{
    private const int FirstBufferSize = 64 * 1024;
    private static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromSeconds(10);
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
    private string? _uploadId;
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

    /// <summary>Creates the multipart upload (retried like every request): what can be checked before writing is checked here.</summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        InitiateMultipartUploadResponse response = await RetryAsync("starting the upload", async token => await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _connection.Bucket, Key = _connection.ObjectKey }, token).ConfigureAwait(false), linked.Token).ConfigureAwait(false);
        _uploadId = response.UploadId;
        Log.UploadStarted(_connection.Logger, Target);
    }

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

    /// <summary>Writes the object: the last part (any size; the only one for a small or empty output), then CompleteMultipartUpload.</summary>
    public async ValueTask CompleteUploadAsync(CancellationToken cancellationToken)
    {
        ThrowIfDone();
        try
        {
            string uploadId = _uploadId ?? throw new InvalidOperationException("The S3 output is not started.");
            if (_used > 0 || _parts.Count == 0)
            {
                // The last part may be smaller than 5 MiB; an output that never filled a part has only this one.
                _parts.Add(UploadPartAsync(_parts.Count + 1, _part, _used, _abort.Token));
                _part = [];
                _used = 0;
            }

            var etags = new List<PartETag>(_parts.Count);
            foreach (Task<PartETag> part in _parts)
            {
                etags.Add(await part.WaitAsync(cancellationToken).ConfigureAwait(false));
            }

            bool retried = false;
            try
            {
                await RetryAsync("completing the upload", async token =>
                {
                    try
                    {
                        return await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                        {
                            BucketName = _connection.Bucket,
                            Key = _connection.ObjectKey,
                            UploadId = uploadId,
                            PartETags = etags,
                        }, token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (S3Errors.IsTransient(ex))
                    {
                        retried = true;
                        throw;
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (retried && ex.ErrorCode == "NoSuchUpload")
            {
                // A first attempt may have completed the upload with its answer lost: the retry finds no upload. Fine if the object is there.
                if (!await IsWrittenAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }
            }

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

        if (_uploadId is { } uploadId)
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
        _parts.Add(UploadPartAsync(_parts.Count + 1, buffer, length, _abort.Token));
    }

    private async Task<PartETag> UploadPartAsync(int number, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        try
        {
            string uploadId = _uploadId ?? throw new InvalidOperationException("The S3 output is not started.");
            string? md5 = _connection.IntegrityChecks ? Md5(buffer.AsSpan(0, length)) : null;
            UploadPartResponse response = await RetryAsync($"uploading part {number}", async token =>
            {
                using var body = new MemoryStream(buffer, 0, length, writable: false); // a fresh body for each attempt
                return await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _connection.Bucket,
                    Key = _connection.ObjectKey,
                    UploadId = uploadId,
                    PartNumber = number,
                    PartSize = length,
                    InputStream = body,
                    UseChunkEncoding = false, // plain signed body: aws-chunked framing is stored verbatim by some S3-compatible stores
                    MD5Digest = md5,
                }, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Runs one S3 request, retrying a dropped connection or a transient error (5xx, SlowDown) after
    /// <see cref="S3TransportOptions.RetryDelay"/>, doubling up to 10 s, at most <see cref="S3TransportOptions.MaxWriteRetries"/> times.
    /// </summary>
    private async Task<T> RetryAsync<T>(string action, Func<CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        S3TransportOptions options = _connection.Options;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await request(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && S3Errors.IsTransient(ex) && attempt <= options.MaxWriteRetries)
            {
                TimeSpan delay = TimeSpan.FromTicks((long)Math.Min(options.RetryDelay.Ticks * Math.Pow(2, attempt - 1), s_maxRetryDelay.Ticks));
                Log.WriteRetry(_connection.Logger, Target, action, S3Errors.Describe(ex), (long)delay.TotalMilliseconds, attempt, options.MaxWriteRetries);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether the object exists with the size written (a completion whose answer was lost).</summary>
    private async Task<bool> IsWrittenAsync(CancellationToken cancellationToken)
    {
        try
        {
            GetObjectMetadataResponse head = await _client.GetObjectMetadataAsync(_connection.Bucket, _connection.ObjectKey, cancellationToken).ConfigureAwait(false);
            return head.ContentLength == _bytes;
        }
        catch (AmazonS3Exception)
        {
            return false;
        }
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
        Task? failed = _parts.FirstOrDefault(p => p.IsFaulted);
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
