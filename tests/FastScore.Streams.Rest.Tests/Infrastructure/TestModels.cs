using System.Text.Json.Serialization;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Rest.Tests.Infrastructure;

/// <summary>A request record of the test models.</summary>
public sealed record Item([property: JsonPropertyName("id")] int Id, [property: JsonPropertyName("text")] string Text);

/// <summary>Echoes each item upper-cased; "boom" throws, "none" emits nothing, "many:N" emits N items, "wait" blocks until released.</summary>
internal sealed class ItemModel : IModel<Item, Item>
{
    private readonly SemaphoreSlim _gate = new(0);

    public int WaitingCalls;

    /// <summary>Gets the ids of the items scored, in the order the engine gave them to the model.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> Scored { get; } = new();

    public void Release(int count = 1) => _gate.Release(count);

    public async ValueTask ActionAsync(Item input, RecordContext context, IModelOutput<Item> output, CancellationToken cancellationToken)
    {
        Scored.Enqueue(input.Id);
        switch (input.Text)
        {
            case "boom":
                throw new InvalidOperationException($"cannot score item {input.Id}");
            case "none":
                return;
            case "wait":
                Interlocked.Increment(ref WaitingCalls);
                await _gate.WaitAsync(cancellationToken);
                break;
        }

        if (input.Text.StartsWith("many:", StringComparison.Ordinal))
        {
            int n = int.Parse(input.Text[5..], System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < n; i++)
            {
                output.Emit(input with { Text = $"part{i}" });
            }

            return;
        }

        output.Emit(input with { Text = input.Text.ToUpperInvariant() });
    }
}
