using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Transports.Network;

/// <summary>Helpers for the tests of the network and process transports: real sockets, real processes.</summary>
internal static class NetworkTestSupport
{
    /// <summary>A guard against a hung test (not a timing assertion).</summary>
    public static CancellationToken Guard(int seconds = 120) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>A port nobody listens on (bound then released).</summary>
    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Reads a pipe to its end.</summary>
    public static async Task<byte[]> ReadToEndAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var all = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                all.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                await reader.CompleteAsync();
                return all.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>Reads a byte pipe and cuts it into newline-separated records, as a stream with the delimited envelope does.</summary>
    public static async Task<List<string>> ReadLinesAsync(PipeReader reader, CancellationToken cancellationToken) =>
        [.. Encoding.UTF8.GetString(await ReadToEndAsync(reader, cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>Reads messages until <paramref name="count"/> have arrived (or the input ends).</summary>
    public static async Task<List<string>> ReadMessagesAsync(MessageInputTransport input, int count, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        var batch = new List<InputMessage>();
        while (values.Count < count)
        {
            batch.Clear();
            if (!await input.ReadAsync(batch, 1024, cancellationToken))
            {
                break;
            }

            values.AddRange(batch.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
        }

        return values;
    }

    /// <summary>A newline-delimited framer, as the default envelope.</summary>
    public static Framer Lines() => TestComponents.Framer(new FastScore.Streams.Descriptors.DelimitedEnvelopeDescriptor());

    /// <summary>Writes UTF-8 text to a connected socket.</summary>
    public static async Task SendAsync(Socket socket, string text) => await socket.SendAsync(Encoding.UTF8.GetBytes(text), SocketFlags.None);
}
