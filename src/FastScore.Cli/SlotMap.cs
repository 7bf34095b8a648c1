using System.Collections;

namespace FastScore.Cli;

/// <summary>A slot number and what is given for it.</summary>
/// <typeparam name="T">What is given for a slot.</typeparam>
/// <param name="Key">The slot.</param>
/// <param name="Value">What is given for it.</param>
internal readonly record struct SlotEntry<T>(int Key, T Value);

/// <summary>
/// Slot → value, in slot order: what a command line gives for each slot. It replaces a
/// <c>SortedDictionary&lt;int, T&gt;</c>, whose code (a framework generic over <see cref="int"/>) ReadyToRun cannot
/// precompile, so <c>fastscore run</c> JIT-compiled it before its first record (docs/performance.md, "fastscore as a
/// process"). A command line gives a handful of slots: a sorted list is enough.
/// </summary>
/// <typeparam name="T">What is given for a slot.</typeparam>
internal sealed class SlotMap<T> : IEnumerable<SlotEntry<T>>
    where T : class
{
    private readonly List<SlotEntry<T>> _entries = [];

    /// <summary>How many slots are given.</summary>
    public int Count => _entries.Count;

    /// <summary>The value of <paramref name="slot"/>; setting it adds or replaces it.</summary>
    /// <exception cref="KeyNotFoundException">Getting a slot that is not given.</exception>
    public T this[int slot]
    {
        get
        {
            int i = IndexOf(slot);
            return i >= 0 ? _entries[i].Value : throw new KeyNotFoundException($"Slot {slot} is not given.");
        }

        set
        {
            int i = IndexOf(slot);
            if (i >= 0)
            {
                _entries[i] = new SlotEntry<T>(slot, value);
            }
            else
            {
                _entries.Insert(~i, new SlotEntry<T>(slot, value));
            }
        }
    }

    /// <summary>Adds <paramref name="slot"/> unless it is given already.</summary>
    public bool TryAdd(int slot, T value)
    {
        int i = IndexOf(slot);
        if (i >= 0)
        {
            return false;
        }

        _entries.Insert(~i, new SlotEntry<T>(slot, value));
        return true;
    }

    /// <summary>The entries in slot order.</summary>
    public List<SlotEntry<T>>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<SlotEntry<T>> IEnumerable<SlotEntry<T>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // the index of slot, or the bitwise complement of where it would go
    private int IndexOf(int slot)
    {
        int i = 0;
        while (i < _entries.Count && _entries[i].Key < slot)
        {
            i++;
        }

        return i < _entries.Count && _entries[i].Key == slot ? i : ~i;
    }
}
