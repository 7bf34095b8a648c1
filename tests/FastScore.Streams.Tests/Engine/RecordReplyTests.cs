using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Engine;

/// <summary>The engine's on-demand hook: a record carrying a <see cref="RecordReply"/> gets its own outputs, rejection or model error.</summary>
public sealed class RecordReplyTests
{
    private QueueTransportProvider _queue = null!;
    private ScoringEngine _engine = null!;

    [SetUp]
    public void SetUp()
    {
        _queue = new QueueTransportProvider();
        var options = new StreamFactoryOptions();
        options.Components.Add(_queue);
        options.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create(EncodingTypes.Null, _ => new StrictTextEncoding()));
        _engine = new ScoringEngine(new StreamFactory(options), new EngineOptions { OnModelError = ModelErrorPolicy.Skip });
    }

    [TearDown]
    public async Task TearDown() => await _engine.DisposeAsync();

    [Test]
    public async Task Each_record_with_a_reply_gets_exactly_the_outputs_it_produced_and_others_go_to_the_stream()
    {
        Start(new Twice(), 0, 1, 3);
        var replies = Enumerable.Range(1, 50).Select(i => new TestReply(1)).ToArray();
        for (int i = 0; i < replies.Length; i++)
        {
            _queue.Send(0, $"r{i}", replies[i]);
            _queue.Send(0, $"plain{i}");
        }

        TestReply.Result[] results = await Task.WhenAll(replies.Select(r => r.Task)).WaitAsync(TimeSpan.FromSeconds(10));
        await Drain(2 * 50 + 50);
        Assert.Multiple(() =>
        {
            for (int i = 0; i < results.Length; i++)
            {
                Assert.That(results[i].Outputs, Is.EqualTo(new[] { $"R{i}-a", $"R{i}-b" }), $"reply {i}");
            }

            Assert.That(_queue.Written(1), Is.EqualTo(Enumerable.Range(0, 50).SelectMany(i => new[] { $"PLAIN{i}-a", $"PLAIN{i}-b" })));
            Assert.That(_queue.Written(3), Has.Count.EqualTo(100), "outputs to other slots are written as usual");
            Assert.That(_engine.Inspect().Slots.Single(s => s.Slot == 1).Records, Is.EqualTo(200), "captured outputs count as written");
        });
    }

    [Test]
    public async Task A_record_rejected_by_encoding_tells_its_reply_why()
    {
        Start(new Twice(), 0, 1, 3);
        var reply = new TestReply(1);
        _queue.Send(0, "bad", reply);
        TestReply.Result result = await reply.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(result.Rejection?.Kind, Is.EqualTo(RejectionKind.Encoding));
            Assert.That(result.Rejection?.Reason, Does.Contain("not allowed"));
            Assert.That(result.Outputs, Is.Empty);
        });
    }

    [Test]
    public async Task A_model_error_fails_the_reply_with_the_message_and_the_engine_goes_on()
    {
        Start(new Twice(), 0, 1, 3);
        var boom = new TestReply(1);
        var after = new TestReply(1);
        _queue.Send(0, "boom", boom);
        _queue.Send(0, "ok", after);
        TestReply.Result failed = await boom.Task.WaitAsync(TimeSpan.FromSeconds(10));
        TestReply.Result scored = await after.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(failed.Failure, Is.EqualTo("InvalidOperationException: cannot score boom"));
            Assert.That(failed.Outputs, Is.Empty, "partial outputs of a failed record are dropped");
            Assert.That(scored.Outputs, Is.EqualTo(new[] { "OK-a", "OK-b" }));
            Assert.That(_engine.State, Is.EqualTo(EngineState.Running));
        });
    }

    [Test]
    public async Task A_reply_to_a_slot_without_a_stream_fails()
    {
        Start(new Twice(), 0, 1, 3);
        var reply = new TestReply(5);
        _queue.Send(0, "x", reply);
        TestReply.Result result = await reply.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(result.Failure, Is.EqualTo("No stream is attached to output slot 5."));
    }

    [Test]
    public async Task A_control_record_with_a_reply_completes_with_no_outputs()
    {
        Start(new Twice(), 0, 1, 3);
        var reply = new TestReply(1);
        _queue.Send(0, "#pig", reply);
        TestReply.Result result = await reply.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(result.Outputs, Is.Empty);
            Assert.That(result.Failure, Is.Null);
        });
    }

    [Test]
    public async Task A_batch_model_gives_output_i_to_record_i_when_counts_match()
    {
        Start(new BatchUpper(perRecord: 1), 0, 1);
        var first = new TestReply(1);
        var third = new TestReply(1);
        _queue.SendMany(0, [("a", first), ("b", null), ("c", third)]);
        TestReply.Result[] results = await Task.WhenAll(first.Task, third.Task).WaitAsync(TimeSpan.FromSeconds(10));
        await Drain(1);
        Assert.Multiple(() =>
        {
            Assert.That(results[0].Outputs, Is.EqualTo(new[] { "A" }));
            Assert.That(results[1].Outputs, Is.EqualTo(new[] { "C" }));
            Assert.That(_queue.Written(1), Is.EqualTo(new[] { "B" }), "the output of the record without a reply goes to the stream");
        });
    }

    [Test]
    public async Task A_batch_holding_a_record_with_a_reply_does_not_wait_for_NagleTime()
    {
        Start(new BatchUpper(perRecord: 1), new BatchingDescriptor(1000, 600_000), 0, 1);
        var reply = new TestReply(1);
        _queue.Send(0, "now", reply);
        TestReply.Result result = await reply.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(result.Outputs, Is.EqualTo(new[] { "NOW" }));
    }

    [Test]
    public async Task A_batch_model_whose_output_count_differs_fails_the_replies_and_writes_the_outputs()
    {
        Start(new BatchUpper(perRecord: 2), 0, 1);
        var first = new TestReply(1);
        var second = new TestReply(1);
        _queue.SendMany(0, [("a", first), ("b", second)]);
        TestReply.Result[] results = await Task.WhenAll(first.Task, second.Task).WaitAsync(TimeSpan.FromSeconds(10));
        await Drain(4);
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Failure), Is.All.Contains("emitted 4 outputs to slot 1 for a batch of 2 records"));
            Assert.That(_queue.Written(1), Is.EqualTo(new[] { "A", "A", "B", "B" }));
        });
    }

    [Test]
    public async Task An_input_that_does_not_answer_callers_is_never_asked_for_replies()
    {
        _queue.AnswersCallers = false;
        Start(new Twice(), 0, 1, 3);
        var reply = new TestReply(1);
        _queue.SendMany(0, [("a", reply), ("bad", reply), ("#pig", reply), ("z", null)]);
        await Drain(6); // slot 1: A-a, A-b, Z-a, Z-b; slot 3: a, z (control records are not counted)
        Assert.Multiple(() =>
        {
            Assert.That(_queue.Written(1), Is.EqualTo(new[] { "A-a", "A-b", "Z-a", "Z-b" }), "the outputs go to the stream");
            Assert.That(_engine.Inspect().Slots.Single(s => s.Slot == 0).RejectedByEncoding, Is.EqualTo(1));
            Assert.That(_queue.RepliesAsked, Is.Zero, "the engine takes the plain path for this input's batches");
            Assert.That(reply.Task.IsCompleted, Is.False, "nobody told the reply anything");
        });
    }

    private void Start(IModel model, params int[] slots) => Start(model, new BatchingDescriptor(null, 0), slots);

    private void Start(IModel model, BatchingDescriptor batching, params int[] slots)
    {
        _engine.LoadModel(model);
        foreach (int slot in slots)
        {
            _engine.Attach(slot, new StreamDescriptor
            {
                Transport = new CustomTransportDescriptor(_queue.Type, JsonDocument.Parse("{}").RootElement, true, false),
                Batching = batching,
                Schema = SchemaReference.None,
            });
        }
    }

    private async Task Drain(int expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_queue.TotalWritten < expected)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private sealed class Twice : IModel<string, string>
    {
        public IReadOnlyList<SlotDefinition> Slots { get; } = [new(0), new(1), new(3)];

        public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            output.Emit(input.ToUpperInvariant() + "-a");
            if (input == "boom")
            {
                throw new InvalidOperationException("cannot score boom");
            }

            output.Emit(input.ToUpperInvariant() + "-b");
            output.Emit(3, input);
            output.EmitControl(1, new ControlRecord(ControlKind.Set));
            return default;
        }
    }

    private sealed class BatchUpper(int perRecord) : IBatchModel<string, string>
    {
        public ValueTask ActionAsync(IReadOnlyList<string> inputs, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            foreach (string input in inputs)
            {
                for (int i = 0; i < perRecord; i++)
                {
                    output.Emit(input.ToUpperInvariant());
                }
            }

            return default;
        }
    }

    /// <summary>Text records; "bad" cannot be decoded; "#pig" is a pig control record; "#set" written for set.</summary>
    private sealed class StrictTextEncoding : RecordEncoding
    {
        public override string? Name => null;

        public override T Decode<T>(ReadOnlySpan<byte> record)
        {
            string text = Encoding.UTF8.GetString(record);
            return text == "bad" ? throw new StreamFormatException("'bad' is not allowed") : (T)(object)text;
        }

        public override void Encode<T>(T value, IBufferWriter<byte> output) => output.Write(Encoding.UTF8.GetBytes((string)(object)value!));

        public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control)
        {
            control = record.SequenceEqual("#pig"u8) ? new ControlRecord(ControlKind.Pig) : default;
            return control.Kind != ControlKind.None;
        }

        public override void WriteControl(ControlRecord control, IBufferWriter<byte> output) => output.Write(Encoding.ASCII.GetBytes("#" + control.Kind.ToString().ToLowerInvariant()));
    }

    private sealed class TestReply(int slot) : RecordReply(slot)
    {
        private readonly TaskCompletionSource<Result> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Result> Task => _done.Task;

        public override void OnScored(IReadOnlyList<ReadOnlyMemory<byte>> outputs) =>
            Complete(new Result(outputs.Select(o => Encoding.UTF8.GetString(o.Span)).ToList(), null, null));

        public override void OnRejected(RejectedRecord rejection) => Complete(new Result([], rejection, null));

        public override void OnFailed(string message) => Complete(new Result([], null, message));

        private void Complete(Result result)
        {
            if (!_done.TrySetResult(result))
            {
                throw new InvalidOperationException("A reply was completed twice.");
            }
        }

        public sealed record Result(List<string> Outputs, RejectedRecord? Rejection, string? Failure);
    }

    /// <summary>An in-memory message transport per slot: tests send messages to input slots and read what output slots received.</summary>
    private sealed class QueueTransportProvider : TransportProvider
    {
        private readonly Dictionary<int, Channel<InputMessage[]>> _inputs = [];
        private readonly Dictionary<int, List<string>> _outputs = [];
        private int _written;
        private int _asked;

        public override string Type => "queue";

        /// <summary>Gets or sets whether the inputs answer callers (set before the streams open).</summary>
        public bool AnswersCallers { get; set; } = true;

        /// <summary>Gets how many times the engine asked an input for a record's reply.</summary>
        public int RepliesAsked => Volatile.Read(ref _asked);

        public int TotalWritten => Volatile.Read(ref _written);

        public void Send(int slot, string text, RecordReply? reply = null) => SendMany(slot, [(text, reply)]);

        public void SendMany(int slot, (string Text, RecordReply? Reply)[] records) =>
            Input(slot).Writer.TryWrite(records.Select(r => new InputMessage(Encoding.UTF8.GetBytes(r.Text), new ReplyMetadata(r.Reply))).ToArray());

        public List<string> Written(int slot)
        {
            lock (_outputs)
            {
                return _outputs.TryGetValue(slot, out List<string>? list) ? [.. list] : [];
            }
        }

        public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) => new QueueInput(this, Input(context.Slot), AnswersCallers);

        public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) => new QueueOutput(this, context.Slot);

        private Channel<InputMessage[]> Input(int slot)
        {
            lock (_inputs)
            {
                if (!_inputs.TryGetValue(slot, out Channel<InputMessage[]>? channel))
                {
                    channel = Channel.CreateUnbounded<InputMessage[]>();
                    _inputs[slot] = channel;
                }

                return channel;
            }
        }

        /// <summary>A message's metadata carrying the reply waiting for it (a transport carries its replies in metadata of its own).</summary>
        private sealed class ReplyMetadata(RecordReply? reply) : MessageMetadata
        {
            public RecordReply? Reply { get; } = reply;
        }

        private sealed class QueueInput(QueueTransportProvider owner, Channel<InputMessage[]> channel, bool answersCallers) : MessageInputTransport
        {
            protected internal override bool AnswersCallers => answersCallers;

            public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken) => default;

            protected internal override RecordReply? FindReply(MessageMetadata? metadata)
            {
                Interlocked.Increment(ref owner._asked);
                return (metadata as ReplyMetadata)?.Reply;
            }

            public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
            {
                if (!await channel.Reader.WaitToReadAsync(cancellationToken))
                {
                    return false;
                }

                while (batch.Count < maxMessages && channel.Reader.TryRead(out InputMessage[]? messages))
                {
                    batch.AddRange(messages);
                }

                return true;
            }
        }

        private sealed class QueueOutput(QueueTransportProvider owner, int slot) : MessageOutputTransport
        {
            public override ValueTask OpenAsync(CancellationToken cancellationToken) => default;

            public override ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken)
            {
                lock (owner._outputs)
                {
                    if (!owner._outputs.TryGetValue(slot, out List<string>? list))
                    {
                        list = [];
                        owner._outputs[slot] = list;
                    }

                    foreach (ReadOnlyMemory<byte> message in messages)
                    {
                        string text = Encoding.UTF8.GetString(message.Span);
                        if (!text.StartsWith('#'))
                        {
                            list.Add(text);
                            Interlocked.Increment(ref owner._written);
                        }
                    }
                }

                return default;
            }

            public override ValueTask FlushAsync(CancellationToken cancellationToken) => default;

            public override ValueTask CompleteAsync(CancellationToken cancellationToken) => default;
        }
    }
}
