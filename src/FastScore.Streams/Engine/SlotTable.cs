namespace FastScore.Streams.Engine;

/// <summary>
/// The engine's attached slots, in slot order: a sorted list of <see cref="EngineSlot"/>s. It replaces a
/// <c>SortedDictionary&lt;int, EngineSlot&gt;</c>, whose code (a framework generic over <see cref="int"/>) ReadyToRun
/// cannot precompile, so a short <c>fastscore run</c> JIT-compiled ~50 of its methods before its first record
/// (docs/performance.md, "fastscore as a process"). An engine has a handful of slots: a linear search is enough.
/// </summary>
internal sealed class SlotTable
{
    private readonly List<EngineSlot> _slots = [];

    /// <summary>The attached slots, in slot order.</summary>
    public IReadOnlyList<EngineSlot> Values => _slots;

    /// <summary>How many slots are attached.</summary>
    public int Count => _slots.Count;

    /// <summary>Attaches <paramref name="value"/> at its slot, replacing what was there.</summary>
    public void Set(EngineSlot value)
    {
        int i = 0;
        while (i < _slots.Count && _slots[i].Slot < value.Slot)
        {
            i++;
        }

        if (i < _slots.Count && _slots[i].Slot == value.Slot)
        {
            _slots[i] = value;
        }
        else
        {
            _slots.Insert(i, value);
        }
    }

    /// <summary>The stream attached to <paramref name="slot"/>, if any.</summary>
    public bool TryGetValue(int slot, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EngineSlot? value)
    {
        value = Find(slot);
        return value is not null;
    }

    /// <summary>Whether a stream is attached to <paramref name="slot"/>.</summary>
    public bool ContainsKey(int slot) => Find(slot) is not null;

    /// <summary>Detaches <paramref name="slot"/>; <see langword="false"/> when nothing was attached.</summary>
    public bool Remove(int slot)
    {
        for (int i = 0; i < _slots.Count; i++)
        {
            if (_slots[i].Slot == slot)
            {
                _slots.RemoveAt(i);
                return true;
            }
        }

        return false;
    }

    /// <summary>Detaches every slot.</summary>
    public void Clear() => _slots.Clear();

    private EngineSlot? Find(int slot)
    {
        foreach (EngineSlot s in _slots)
        {
            if (s.Slot == slot)
            {
                return s;
            }
        }

        return null;
    }
}
