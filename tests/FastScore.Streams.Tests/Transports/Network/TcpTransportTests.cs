using System.Net;
using System.Net.Sockets;
using System.Text;
using FastScore.Streams.Transports.Tcp;
using Microsoft.Extensions.Logging.Abstractions;
using static FastScore.Streams.Tests.Transports.Network.NetworkTestSupport;

namespace FastScore.Streams.Tests.Transports.Network;

/// <summary>The TCP transport against real sockets on the loopback interface.</summary>
public sealed class TcpTransportTests
{
    [Test]
    public async Task A_connecting_input_reads_what_the_server_sends_until_it_closes()
    {
        CancellationToken guard = Guard();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        int port = ((IPEndPoint)server.LocalEndpoint).Port;
        string text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{{\"n\": {i}}}\n"));
        Task serve = Task.Run(async () =>
        {
            using Socket client = await server.AcceptSocketAsync(guard);
            await SendAsync(client, text);
            client.Shutdown(SocketShutdown.Both);
        }, guard);

        await using var input = new TcpConnectInput("in", "127.0.0.1", port);
        List<string> lines = await ReadLinesAsync(await input.OpenAsync(0, guard), guard);
        await serve;
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(20_000));
            Assert.That(lines[^1], Is.EqualTo("{\"n\": 19999}"));
            Assert.That(input.DisplayName, Is.EqualTo($"tcp:127.0.0.1:{port}"));
        });
    }

    [Test]
    public void Connecting_to_a_port_where_nothing_listens_names_the_stream_and_the_port()
    {
        int port = FreePort();
        var input = new TcpConnectInput("scores", "127.0.0.1", port);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await input.OpenAsync(0, Guard()));
        Assert.That(error!.Message, Is.EqualTo($"Stream 'scores': TCP cannot connect to 127.0.0.1:{port} (Transport.Port): connection refused (nothing listens there)."));
    }

    [Test]
    public void Connecting_to_an_unknown_host_names_the_stream_and_the_host()
    {
        var input = new TcpConnectInput("scores", "no-such-host.invalid", 9000);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await input.OpenAsync(0, Guard()));
        Assert.That(error!.Message, Is.EqualTo("Stream 'scores': TCP cannot connect to no-such-host.invalid:9000 (Transport.Host): unknown host."));
    }

    [Test]
    public void A_connecting_input_cannot_start_at_an_offset()
    {
        var input = new TcpConnectInput("in", "127.0.0.1", 1);
        Assert.ThrowsAsync<NotSupportedException>(async () => await input.OpenAsync(10, Guard()));
    }

    [Test]
    public async Task A_listening_input_frames_each_client_on_its_own_and_a_client_that_breaks_mid_record_loses_only_that_record()
    {
        CancellationToken guard = Guard();
        await using var input = new TcpListenInput("in", "0.0.0.0", 0, Lines, NullLogger.Instance);
        await input.OpenAsync(null, guard);
        int port = input.LocalPort;
        Assert.That(port, Is.Not.Zero);

        using var a = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var b = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await a.ConnectAsync(IPAddress.Loopback, port, guard);
        await b.ConnectAsync(IPAddress.Loopback, port, guard);

        // Interleave half records of both clients: each client's bytes are framed on their own.
        await SendAsync(a, "a1\na2-first-half-");
        await SendAsync(b, "b1\nb2-first-half-");
        List<string> first = await ReadMessagesAsync(input, 2, guard);
        await SendAsync(a, "second-half\n");
        await SendAsync(b, "second-half\nb3-never-finished");
        List<string> second = await ReadMessagesAsync(input, 2, guard);

        // b breaks (RST) in the middle of b3; a goes on.
        b.LingerState = new LingerOption(true, 0);
        b.Close();
        while (input.PartialRecords == 0)
        {
            await Task.Delay(20, guard);
        }

        await SendAsync(a, "a3\n");
        List<string> third = await ReadMessagesAsync(input, 1, guard);
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EquivalentTo(new[] { "a1", "b1" }));
            Assert.That(second, Is.EquivalentTo(new[] { "a2-first-half-second-half", "b2-first-half-second-half" }));
            Assert.That(third, Is.EqualTo(new[] { "a3" }));
            Assert.That(input.PartialRecords, Is.EqualTo(1));
            Assert.That(input.Connections, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_client_that_closes_cleanly_ends_its_bytes_as_a_file_ends_so_its_last_unterminated_line_is_a_record()
    {
        CancellationToken guard = Guard();
        await using var input = new TcpListenInput("in", "", 0, Lines, NullLogger.Instance);
        await input.OpenAsync(null, guard);
        using (var client = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(IPAddress.Loopback, input.LocalPort, guard);
            await SendAsync(client, "x\ny");
            client.Shutdown(SocketShutdown.Send);
            Assert.That(await ReadMessagesAsync(input, 2, guard), Is.EqualTo(new[] { "x", "y" }));
        }

        Assert.That(input.PartialRecords, Is.Zero);
    }

    [Test]
    public async Task A_client_whose_fixed_size_record_is_cut_by_its_close_loses_that_record_only()
    {
        CancellationToken guard = Guard();
        FastScore.Streams.Envelopes.Framer Fixed() => FastScore.Streams.Envelopes.Framers.Create(new FastScore.Streams.Descriptors.FixedEnvelopeDescriptor { Size = 4 });
        await using var input = new TcpListenInput("in", "0.0.0.0", 0, Fixed, NullLogger.Instance);
        await input.OpenAsync(null, guard);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, input.LocalPort, guard);
        await SendAsync(client, "abcdefghij");
        client.Shutdown(SocketShutdown.Send);
        Assert.That(await ReadMessagesAsync(input, 2, guard), Is.EqualTo(new[] { "abcd", "efgh" }));
        while (input.PartialRecords == 0)
        {
            await Task.Delay(20, guard);
        }

        Assert.That(input.PartialRecords, Is.EqualTo(1));
    }

    [Test]
    public async Task Listening_on_a_port_in_use_names_the_stream_and_the_port()
    {
        using var other = new TcpListener(IPAddress.Any, 0);
        other.Start();
        int port = ((IPEndPoint)other.LocalEndpoint).Port;
        await using var input = new TcpListenInput("events", "0.0.0.0", port, Lines, NullLogger.Instance);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await input.OpenAsync(null, Guard()));
        Assert.That(error!.Message, Is.EqualTo($"Stream 'events': TCP cannot listen on 0.0.0.0:{port} (Transport.Port): the port is already in use."));
    }

    [Test]
    public async Task Disposing_a_listening_input_closes_its_port_and_its_clients()
    {
        CancellationToken guard = Guard();
        var input = new TcpListenInput("in", "0.0.0.0", 0, Lines, NullLogger.Instance);
        await input.OpenAsync(null, guard);
        int port = input.LocalPort;
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, port, guard);
        await SendAsync(client, "1\n");
        Assert.That(await ReadMessagesAsync(input, 1, guard), Is.EqualTo(new[] { "1" }));
        await input.DisposeAsync();

        int read = await client.ReceiveAsync(new byte[16], SocketFlags.None, guard);
        Assert.That(read, Is.Zero, "the client sees the connection closed");
        using var again = new TcpListener(IPAddress.Any, port);
        Assert.DoesNotThrow(() => again.Start(), "the port is free again");
    }

    [Test]
    public async Task An_output_writes_records_whole_and_its_flush_returns_once_the_socket_took_them()
    {
        CancellationToken guard = Guard();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        int port = ((IPEndPoint)server.LocalEndpoint).Port;
        Task<string> received = Task.Run(async () =>
        {
            using Socket peer = await server.AcceptSocketAsync(guard);
            await using var stream = new NetworkStream(peer);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(guard);
        }, guard);

        await using var output = new TcpOutput("out", "127.0.0.1", port, NullLogger.Instance);
        await output.OpenAsync(guard);
        for (int i = 0; i < 1000; i++)
        {
            Encoding.UTF8.GetBytes($"{{\"n\": {i}}}\n", output.Writer);
            if (i % 100 == 99)
            {
                await output.FlushAsync(guard);
            }
        }

        await output.CompleteAsync(guard);
        string[] lines = (await received).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.EqualTo(Enumerable.Range(0, 1000).Select(i => $"{{\"n\": {i}}}")));
    }

    [Test]
    public async Task An_output_whose_peer_went_away_reconnects_and_sends_the_unacknowledged_records_whole()
    {
        CancellationToken guard = Guard();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        int port = ((IPEndPoint)server.LocalEndpoint).Port;

        await using var output = new TcpOutput("out", "127.0.0.1", port, NullLogger.Instance);
        await output.OpenAsync(guard);
        using (Socket first = await server.AcceptSocketAsync(guard))
        {
            Encoding.UTF8.GetBytes("r1\nr2\n", output.Writer);
            await output.FlushAsync(guard);
            byte[] buffer = new byte[64];
            int n = 0;
            while (n < 6)
            {
                n += await first.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None, guard);
            }

            Assert.That(Encoding.UTF8.GetString(buffer, 0, n), Is.EqualTo("r1\nr2\n"));
            first.Close(); // the peer goes away
        }

        await Task.Delay(100, guard); // let the close reach the output's socket
        Task<Socket> second = server.AcceptSocketAsync(guard).AsTask();
        Encoding.UTF8.GetBytes("r3\nr4\n", output.Writer);
        await output.FlushAsync(guard);
        await output.CompleteAsync(guard);
        using Socket peer = await second;
        await using var stream = new NetworkStream(peer);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string rest = await reader.ReadToEndAsync(guard);
        Assert.Multiple(() =>
        {
            Assert.That(rest, Is.EqualTo("r3\nr4\n"), "the records of the broken flush arrive whole on the new connection");
            Assert.That(output.Reconnects, Is.GreaterThanOrEqualTo(1));
        });
    }

    [Test]
    public void An_output_whose_first_connection_is_refused_fails_at_once_naming_the_stream()
    {
        int port = FreePort();
        var output = new TcpOutput("results", "127.0.0.1", port, NullLogger.Instance);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await output.OpenAsync(Guard()));
        Assert.That(error!.Message, Does.StartWith($"Stream 'results': TCP cannot connect to 127.0.0.1:{port} (Transport.Port): connection refused"));
    }

    [Test]
    public async Task An_output_that_cannot_reconnect_fails_the_stream_after_its_reconnect_timeout()
    {
        CancellationToken guard = Guard();
        var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        int port = ((IPEndPoint)server.LocalEndpoint).Port;
        await using var output = new TcpOutput("results", "127.0.0.1", port, NullLogger.Instance) { ReconnectTimeout = TimeSpan.FromMilliseconds(300) };
        await output.OpenAsync(guard);
        (await server.AcceptSocketAsync(guard)).Close();
        server.Stop(); // nothing listens any more
        await Task.Delay(100, guard);
        Encoding.UTF8.GetBytes("lost\n", output.Writer);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await output.FlushAsync(guard));
        Assert.That(error!.Message, Does.StartWith($"Stream 'results': TCP output to tcp:127.0.0.1:{port} lost its connection and could not reconnect within 0.3 s"));
    }
}
