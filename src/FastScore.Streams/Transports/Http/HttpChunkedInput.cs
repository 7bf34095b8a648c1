using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Transports.Http;

/// <summary>
/// HTTP input with <c>Chunked: true</c>: each chunk of a <c>Transfer-Encoding: chunked</c> answer is one record.
/// HttpClient decodes the chunked transfer coding and hides where chunks begin and end, so this input speaks HTTP/1.1
/// itself: one GET over a socket (an <see cref="SslStream"/> for https, checked against the system's trust store),
/// redirects followed (up to 10), and the chunked framing (RFC 9112 §7.1) parsed from the raw bytes: a chunk's size
/// line, its bytes (one record), its CRLF; chunk extensions and trailers are ignored. An answer that is not chunked
/// is one record (its whole body). A dropped connection cannot be resumed (a chunk has no byte address): the stream
/// fails, naming the chunk it was in.
/// </summary>
internal sealed class HttpChunkedInput(string streamName, string url, int maxRecordSize = HttpChunkedInput.DefaultMaxRecordSize) : MessageInputTransport
{
    /// <summary>The largest chunk accepted as a record (the envelope's MaxRecordSize default).</summary>
    public const int DefaultMaxRecordSize = 16 * 1024 * 1024;

    private readonly HttpEndpoint _endpoint = HttpEndpoint.Parse(streamName, url);
    private Stream? _connection;
    private PipeReader? _reader;
    private byte[] _record = [];
    private long _chunks;
    private long _contentLeft = -1; // not chunked: the bytes of the body still to read (-1: until the connection closes)
    private bool _chunked;
    private bool _done;

    public override string DisplayName => _endpoint.Display;

    /// <summary>HTTP has no acknowledgements.</summary>
    public override bool RequiresAcknowledgement => false;

    public override async ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken)
    {
        if (position is { Kind: not RecordPositionKind.Earliest })
        {
            throw new NotSupportedException($"Stream '{streamName}': a chunked HTTP input cannot start at a record position (SkipToRecord).");
        }

        await CloseAsync().ConfigureAwait(false);
        _done = false;
        _chunks = 0;
        Uri uri = _endpoint.Uri;
        for (int redirects = 0; ; redirects++)
        {
            (int status, Dictionary<string, string> headers) = await RequestAsync(uri, sendAuthorization: uri.Host == _endpoint.Uri.Host, cancellationToken).ConfigureAwait(false);
            if (status is 301 or 302 or 303 or 307 or 308 && headers.TryGetValue("location", out string? location))
            {
                if (redirects == 10)
                {
                    throw Fail("more than 10 redirects");
                }

                uri = new Uri(uri, location);
                await CloseAsync().ConfigureAwait(false);
                continue;
            }

            if (status is < 200 or > 299)
            {
                await CloseAsync().ConfigureAwait(false);
                throw Fail($"the server answered {status}");
            }

            _chunked = headers.TryGetValue("transfer-encoding", out string? te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            _contentLeft = !_chunked && headers.TryGetValue("content-length", out string? cl) && long.TryParse(cl, out long length) ? length : -1;
            return;
        }
    }

    public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        PipeReader reader = _reader ?? throw new InvalidOperationException("The input is not open.");
        if (_done)
        {
            return false;
        }

        return _chunked ? await ReadChunkAsync(reader, batch, cancellationToken).ConfigureAwait(false) : await ReadWholeAsync(reader, batch, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<bool> ReadChunkAsync(PipeReader reader, List<InputMessage> batch, CancellationToken cancellationToken)
    {
        // One chunk per call: a record's bytes stay valid until the next call.
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            ChunkStatus status;
            try
            {
                status = ChunkedDecoder.TryRead(ref buffer, maxRecordSize, out ReadOnlySequence<byte> chunk);
                if (status == ChunkStatus.Chunk)
                {
                    if (_record.Length < chunk.Length)
                    {
                        _record = new byte[Math.Max((int)chunk.Length, Math.Min(maxRecordSize, _record.Length * 2))];
                    }

                    chunk.CopyTo(_record);
                    reader.AdvanceTo(buffer.Start);
                    _chunks++;
                    batch.Add(new InputMessage(_record.AsMemory(0, (int)chunk.Length), new MessageMetadata { Position = $"chunk {_chunks}" }));
                    return true;
                }
            }
            catch (FormatException ex)
            {
                throw Fail($"chunk {_chunks + 1}: {ex.Message}", ex);
            }

            if (status == ChunkStatus.End)
            {
                reader.AdvanceTo(buffer.Start);
                _done = true;
                return false;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw Fail($"the connection closed in the middle of chunk {_chunks + 1}");
            }
        }
    }

    private async ValueTask<bool> ReadWholeAsync(PipeReader reader, List<InputMessage> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            long have = result.Buffer.Length;
            bool complete = _contentLeft >= 0 ? have >= _contentLeft : result.IsCompleted;
            if (have > maxRecordSize)
            {
                throw Fail($"the body is longer than {maxRecordSize} bytes");
            }

            if (complete)
            {
                long length = _contentLeft >= 0 ? _contentLeft : have;
                _record = result.Buffer.Slice(0, length).ToArray();
                reader.AdvanceTo(result.Buffer.End);
                _done = true;
                batch.Add(new InputMessage(_record, new MessageMetadata { Position = "body" }));
                return true;
            }

            if (result.IsCompleted)
            {
                throw Fail($"the connection closed after {have} of {_contentLeft} bytes");
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private async Task<(int Status, Dictionary<string, string> Headers)> RequestAsync(Uri uri, bool sendAuthorization, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(uri.IdnHost, uri.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw Fail(Transports.NetworkErrors.Describe(ex.SocketErrorCode), ex);
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = uri.IdnHost }, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException ex)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw Fail("TLS failed (is the server's certificate trusted by this system?): " + ex.Message, ex);
            }

            stream = tls;
        }

        _connection = stream;
        var request = new StringBuilder()
            .Append("GET ").Append(uri.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}").Append("\r\n")
            .Append("Accept-Encoding: identity\r\nConnection: close\r\nUser-Agent: FastScore.Streams\r\n");
        if (sendAuthorization && _endpoint.Authorization is { } auth)
        {
            request.Append("Authorization: ").Append(auth.Scheme).Append(' ').Append(auth.Parameter).Append("\r\n");
        }

        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));

        // status line and headers
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (TryReadHead(result.Buffer, out SequencePosition end, out int status, out Dictionary<string, string>? headers))
            {
                _reader.AdvanceTo(end);
                return (status, headers!);
            }

            if (result.Buffer.Length > 64 * 1024)
            {
                throw Fail("the answer's headers are longer than 64 KiB");
            }

            _reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw Fail("the connection closed before the answer's headers ended");
            }
        }
    }

    private bool TryReadHead(in ReadOnlySequence<byte> buffer, out SequencePosition end, out int status, out Dictionary<string, string>? headers)
    {
        var reader = new SequenceReader<byte>(buffer);
        end = default;
        status = 0;
        headers = null;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, "\r\n\r\n"u8))
        {
            return false;
        }

        string[] lines = Encoding.Latin1.GetString(head).Split("\r\n");
        string[] statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(statusLine[1], out status))
        {
            throw Fail("the answer is not HTTP/1.x");
        }

        headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                string name = line[..colon].Trim();
                string value = line[(colon + 1)..].Trim();
                headers[name] = headers.TryGetValue(name, out string? before) ? before + ", " + value : value;
            }
        }

        end = reader.Position;
        return true;
    }

    private StreamException Fail(string reason, Exception? inner = null) => HttpInput.Error(streamName, _endpoint.Display, reason, inner);

    private async ValueTask CloseAsync()
    {
        if (_reader is not null)
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
            _reader = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }
}
