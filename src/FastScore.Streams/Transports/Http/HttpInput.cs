using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Transports.Http;

/// <summary>
/// HTTP input: a streamed GET of the URL (the body is read as it arrives, with a 64 KiB buffer, never loaded whole),
/// cut into records by the envelope. <c>SkipTo</c> asks for <c>Range: bytes=N-</c> (a server that ignores ranges is read
/// from the start and the first N bytes dropped). A connection that drops, or a transient failure (5xx, 408, 429, a
/// reset), is resumed from the last byte received with a new ranged GET (<c>If-Range</c> with the ETag or
/// Last-Modified, so a changed resource is not spliced), up to <see cref="MaxRetries"/> times in a row with backoff.
/// Redirects are followed (up to 10); https uses the system's trust store. Credentials in the URL are sent as Basic
/// authentication and masked in everything shown.
/// </summary>
internal sealed class HttpInput : ByteInputTransport
{
    private readonly string _streamName;
    private readonly HttpEndpoint _endpoint;
    private readonly ILogger _logger;
    private readonly HttpClient _client;

    public HttpInput(string streamName, string url, ILogger logger, HttpMessageHandler? handler = null)
    {
        _streamName = streamName;
        _endpoint = HttpEndpoint.Parse(streamName, url);
        _logger = logger;
        _client = new HttpClient(handler ?? CreateHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Gets or sets how many times in a row a failed read is retried before the stream fails.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>Gets or sets the first retry delay (doubled each time, at most 5 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets how many times a read was resumed (for tests and reports).</summary>
    public int Resumes { get; private set; }

    public override bool CanSeek => true;

    public override string DisplayName => _endpoint.Display;

    /// <summary>The handler every HTTP input uses: redirects followed, no decompression (bytes are counted as sent).</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 10,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    public override async ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
    {
        var body = new ResumingBody(this, offset);
        await body.OpenAsync(cancellationToken).ConfigureAwait(false); // the first answer's errors surface here
        return PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: false));
    }

    public override ValueTask DisposeAsync()
    {
        _client.Dispose();
        return base.DisposeAsync();
    }

    /// <summary>The error of a failed request: names the stream, the (masked) URL and the field.</summary>
    internal static StreamException Error(string streamName, string display, string reason, Exception? inner = null) =>
        new($"Stream '{streamName}': HTTP GET {display} (Transport.Url) failed: {reason.TrimEnd('.')}.", inner) { StreamName = streamName };

    /// <summary>Whether an exception of a request or a read is worth retrying.</summary>
    internal static bool IsTransient(Exception ex) => ex switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ConfigurationLimitExceeded } => false,
        HttpRequestException { InnerException: AuthenticationException } => false,
        HttpRequestException => true,
        HttpIOException => true,
        IOException => true,
        _ => false,
    };

    /// <summary>Describes a request failure in words a user acts on.</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "unknown host",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } or HttpRequestException { InnerException: AuthenticationException } => "TLS failed (is the server's certificate trusted by this system?): " + (ex.InnerException?.Message ?? ex.Message),
        HttpRequestException { InnerException: System.Net.Sockets.SocketException se } => Transports.NetworkErrors.Describe(se.SocketErrorCode),
        _ => ex.Message,
    };

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>The body, resumed from the last byte received when the connection drops.</summary>
    private sealed class ResumingBody(HttpInput owner, long start) : ForwardReadStream
    {
        private HttpResponseMessage? _response;
        private Stream? _body;
        private long _position = start; // absolute position of the next byte
        private long? _end; // the resource's length when known
        private EntityTagHeaderValue? _etag;
        private DateTimeOffset? _lastModified;
        private bool _skipUntilPosition; // the server ignored the Range: drop bytes up to _position
        private long _bodyPosition;
        private bool _done;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public async Task OpenAsync(CancellationToken cancellationToken) => await RequestAsync(first: true, cancellationToken).ConfigureAwait(false);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int failures = 0;
            while (!_done)
            {
                try
                {
                    if (_body is null)
                    {
                        await RequestAsync(first: false, cancellationToken).ConfigureAwait(false);
                        if (_done)
                        {
                            break;
                        }
                    }

                    int read = await _body!.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        if (_end is { } end && _position < end)
                        {
                            throw new HttpIOException(HttpRequestError.ResponseEnded, $"the body ended at byte {_position} of {end}");
                        }

                        _done = true;
                        break;
                    }

                    if (_skipUntilPosition)
                    {
                        long skip = Math.Min(read, _position - _bodyPosition);
                        _bodyPosition += read;
                        if (skip == read)
                        {
                            continue;
                        }

                        _skipUntilPosition = false;
                        buffer.Span[(int)skip..read].CopyTo(buffer.Span);
                        read -= (int)skip;
                    }

                    _position += read;
                    return read;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex) && ex is not StreamException)
                {
                    CloseResponse();
                    if (++failures > owner.MaxRetries)
                    {
                        throw Error(owner._streamName, owner._endpoint.Display, $"the connection dropped at byte {_position} and {owner.MaxRetries} retries to resume failed: {Describe(ex)}", ex);
                    }

                    owner.Resumes++;
                    int delay = (int)Math.Min(5000, owner.RetryDelay.TotalMilliseconds * Math.Pow(2, failures - 1));
                    HttpLog.Resuming(owner._logger, owner._streamName, owner._endpoint.Display, _position, Describe(ex), delay, failures);
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }

            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                CloseResponse();
            }

            base.Dispose(disposing);
        }

        private void CloseResponse()
        {
            _body?.Dispose();
            _body = null;
            _response?.Dispose();
            _response = null;
        }

        private async Task RequestAsync(bool first, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, owner._endpoint.Uri);
            request.Headers.Authorization = owner._endpoint.Authorization;
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
            if (_position > 0)
            {
                request.Headers.Range = new RangeHeaderValue(_position, null);
                if (!first && (_etag is { IsWeak: false } || _lastModified is not null))
                {
                    request.Headers.IfRange = _etag is { IsWeak: false } etag ? new RangeConditionHeaderValue(etag) : new RangeConditionHeaderValue(_lastModified!.Value);
                }
            }

            HttpResponseMessage response;
            int failures = 0;
            while (true)
            {
                try
                {
                    response = await owner._client.SendAsync(request.Clone(), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or IOException)
                {
                    if (!first && IsTransient(ex))
                    {
                        throw; // resuming: the read loop counts the failure and retries
                    }

                    if (!IsTransient(ex) || ++failures > owner.MaxRetries)
                    {
                        throw Error(owner._streamName, owner._endpoint.Display, Describe(ex), ex);
                    }

                    await Task.Delay((int)Math.Min(5000, owner.RetryDelay.TotalMilliseconds * Math.Pow(2, failures - 1)), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!first && IsTransient(response.StatusCode))
                {
                    int code = (int)response.StatusCode;
                    response.Dispose();
                    throw new HttpRequestException($"the server answered {code}", null, (HttpStatusCode)code);
                }

                if (IsTransient(response.StatusCode) && ++failures <= owner.MaxRetries)
                {
                    response.Dispose();
                    await Task.Delay((int)Math.Min(5000, owner.RetryDelay.TotalMilliseconds * Math.Pow(2, failures - 1)), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                break;
            }

            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && _position > 0)
            {
                response.Dispose();
                _done = true; // SkipTo (or the resume point) is at or past the end
                return;
            }

            if (!response.IsSuccessStatusCode)
            {
                string answer = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                response.Dispose();
                throw Error(owner._streamName, owner._endpoint.Display, "the server answered " + answer);
            }

            if (first)
            {
                _etag = response.Headers.ETag;
                _lastModified = response.Content.Headers.LastModified;
            }

            if (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange is { } range)
            {
                if (range.From != _position)
                {
                    response.Dispose();
                    throw Error(owner._streamName, owner._endpoint.Display, $"asked for the bytes from {_position}, the server sent them from {range.From}");
                }

                _end = range.Length ?? (range.To + 1);
                _skipUntilPosition = false;
            }
            else
            {
                // 200: the whole resource (the server ignores ranges, or it changed since the first answer: If-Range)
                if (!first && _position > 0 && request.Headers.IfRange is not null && response.Headers.ETag is { } now && _etag is not null && !now.Equals(_etag))
                {
                    response.Dispose();
                    throw Error(owner._streamName, owner._endpoint.Display, $"the resource changed while it was read (at byte {_position}); it cannot be resumed");
                }

                _end = response.Content.Headers.ContentLength;
                _skipUntilPosition = _position > 0;
                _bodyPosition = 0;
            }

            _response = response;
            _body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

internal static class HttpRequestMessageExtensions
{
    /// <summary>A copy of a GET request (a request message can be sent only once).</summary>
    public static HttpRequestMessage Clone(this HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return copy;
    }
}

internal static partial class HttpLog
{
    [LoggerMessage(EventId = 1541, EventName = "HttpResuming", Level = LogLevel.Warning, Message = "Stream {Stream}: reading {Url} failed at byte {Position} ({Reason}); resuming in {DelayMs} ms (attempt {Attempt})")]
    public static partial void Resuming(ILogger logger, string stream, string url, long position, string reason, int delayMs, int attempt);
}
