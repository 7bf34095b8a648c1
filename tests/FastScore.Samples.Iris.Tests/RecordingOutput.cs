using FastScore.Streams.Engine;

namespace FastScore.Samples.Iris.Tests;

/// <summary>A fake engine output that records what a model emits, with the slot.</summary>
internal sealed class RecordingOutput<T> : IModelOutput<T>
{
    public List<(int Slot, T Value)> Emitted { get; } = [];

    public void Emit(T value) => Emit(1, value);

    public void Emit(int slot, T value) => Emitted.Add((slot, value));

    public List<(int Slot, FastScore.Streams.Encodings.ControlRecord Control)> Controls { get; } = [];

    public void EmitControl(int slot, FastScore.Streams.Encodings.ControlRecord control) => Controls.Add((slot, control));
}
