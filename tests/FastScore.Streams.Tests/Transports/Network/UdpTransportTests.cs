using System.Net;
using System.Net.Sockets;
using System.Text;
using FastScore.Streams.Transports;
using FastScore.Streams.Transports.Udp;
using Microsoft.Extensions.Logging.Abstractions;
using static FastScore.Streams.Tests.Transports.Network.NetworkTestSupport;

namespace FastScore.Streams.Tests.Transports.Network;

/// <summary>The UDP transport against real sockets on the loopback interface.</summary>
public sealed class UdpTransportTests
{
    [Test]
    public async Task Each_datagram_is_one_record_whatever_bytes_it_holds()
    {
        CancellationToken guard = Guard();
        await using var input = new UdpInput("in", "127.0.0.1", 0);
        await input.OpenAsync(null, guard);
        using var sender = new UdpClient();
        string[] sent = ["{\"a\": 1}", "two\nlines", "", "{\"a\": 3}"];
        foreach (string s in sent)
        {
            await sender.SendAsync(Encoding.UTF8.GetBytes(s), new IPEndPoint(IPAddress.Loopback, input.LocalPort), guard);
        }

        Assert.That(await ReadMessagesAsync(input, sent.Length, guard), Is.EqualTo(sent));
    }

    [Test]
    public async Task An_output_sends_each_record_as_one_datagram_to_the_host_and_port()
    {
        CancellationToken guard = Guard();
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        await using var output = new UdpOutput("out", "localhost", port, NullLogger.Instance);
        await output.OpenAsync(guard);
        await output.WriteAsync([Encoding.UTF8.GetBytes("r1"), Encoding.UTF8.GetBytes("r2 with\nnewline")], guard);
        await output.FlushAsync(guard);
        await output.CompleteAsync(guard);
        UdpReceiveResult first = await receiver.ReceiveAsync(guard);
        UdpReceiveResult second = await receiver.ReceiveAsync(guard);
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(first.Buffer), Is.EqualTo("r1"));
            Assert.That(Encoding.UTF8.GetString(second.Buffer), Is.EqualTo("r2 with\nnewline"));
        });
    }

    [Test]
    public async Task The_output_and_the_input_carry_records_between_them()
    {
        CancellationToken guard = Guard();
        await using var input = new UdpInput("in", "0.0.0.0", 0);
        await input.OpenAsync(null, guard);
        await using var output = new UdpOutput("out", "127.0.0.1", input.LocalPort, NullLogger.Instance);
        await output.OpenAsync(guard);
        ReadOnlyMemory<byte>[] records = [.. Enumerable.Range(0, 50).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"{{\"n\": {i}}}"))];
        await output.WriteAsync(records, guard);
        Assert.That(await ReadMessagesAsync(input, 50, guard), Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"{{\"n\": {i}}}")));
    }

    [Test]
    public async Task Binding_a_port_in_use_names_the_stream_and_the_port()
    {
        using var other = new UdpClient(new IPEndPoint(IPAddress.Any, 0));
        int port = ((IPEndPoint)other.Client.LocalEndPoint!).Port;
        await using var input = new UdpInput("events", "0.0.0.0", port);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await input.OpenAsync(null, Guard()));
        Assert.That(error!.Message, Is.EqualTo($"Stream 'events': UDP cannot bind 0.0.0.0:{port} (Transport.Port): the port is already in use."));
    }

    [Test]
    public async Task Binding_an_address_that_is_not_this_machines_names_BindTo()
    {
        await using var input = new UdpInput("events", "192.0.2.1", 0);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await input.OpenAsync(null, Guard()));
        Assert.That(error!.Message, Is.EqualTo("Stream 'events': UDP cannot bind 192.0.2.1:0 (Transport.BindTo): the address is not one of this machine's."));
    }

    [Test]
    public async Task An_output_to_an_unknown_host_names_the_stream_and_the_host()
    {
        await using var output = new UdpOutput("out", "no-such-host.invalid", 9000, NullLogger.Instance);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await output.OpenAsync(Guard()));
        Assert.That(error!.Message, Is.EqualTo("Stream 'out': UDP cannot send to no-such-host.invalid:9000 (Transport.Host): unknown host."));
    }

    [Test]
    public async Task A_record_longer_than_a_datagram_fails_the_stream_naming_it()
    {
        CancellationToken guard = Guard();
        await using var output = new UdpOutput("out", "127.0.0.1", FreePort(), NullLogger.Instance);
        await output.OpenAsync(guard);
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await output.WriteAsync([new byte[70_000]], guard));
        Assert.That(error!.Message, Is.EqualTo("Stream 'out': record 1 is 70000 bytes, more than one UDP datagram holds (65507)."));
    }
}
