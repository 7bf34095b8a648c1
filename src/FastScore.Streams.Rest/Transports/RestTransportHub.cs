using System.Collections.Concurrent;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Rest.Transports;

/// <summary>
/// Connects HTTP requests to the REST streams of one engine: every REST input and output registers here under its
/// slot when the engine creates it, and the endpoints look it up by slot. One hub per engine.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RestTransportHub
{
    private readonly ConcurrentDictionary<int, InputTransport> _inputs = new();
    private readonly ConcurrentDictionary<int, OutputTransport> _outputs = new();

    /// <summary>Gets the input slots that have a REST stream now.</summary>
    public IReadOnlyCollection<int> InputSlots => [.. _inputs.Keys.Order()];

    /// <summary>Gets the output slots that have a REST stream now (a finished output stays until replaced, so clients can read what is left).</summary>
    public IReadOnlyCollection<int> OutputSlots => [.. _outputs.Keys.Order()];

    internal void Register(int slot, InputTransport input)
    {
        if (slot >= 0)
        {
            _inputs[slot] = input;
        }
    }

    internal void Register(int slot, OutputTransport output)
    {
        if (slot >= 0)
        {
            _outputs[slot] = output;
        }
    }

    internal void Unregister(int slot, InputTransport input) => _inputs.TryRemove(KeyValuePair.Create(slot, input));

    internal void Unregister(int slot, OutputTransport output) => _outputs.TryRemove(KeyValuePair.Create(slot, output));

    internal InputTransport? FindInput(int slot) => _inputs.TryGetValue(slot, out InputTransport? input) ? input : null;

    internal OutputTransport? FindOutput(int slot) => _outputs.TryGetValue(slot, out OutputTransport? output) ? output : null;

    /// <summary>Finds an output that holds as much as its capacity unread (nobody reads it), if any.</summary>
    internal IRestOutput? FindFullOutput()
    {
        foreach (KeyValuePair<int, OutputTransport> entry in _outputs)
        {
            if (entry.Value is IRestOutput { IsFinished: false, IsFull: true } output)
            {
                return output;
            }
        }

        return null;
    }

    /// <summary>Forgets the outputs that are finished (after an engine reset).</summary>
    internal void ForgetFinishedOutputs()
    {
        foreach ((int slot, OutputTransport output) in _outputs)
        {
            if (output is IRestOutput { IsFinished: true })
            {
                _outputs.TryRemove(KeyValuePair.Create(slot, output));
            }
        }
    }
}
