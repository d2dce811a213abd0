namespace MiniportTimers.Diagnostics;

/// <summary>
/// A bounded record log: counts every record by key, and keeps only the most recent <c>capacityPerKey</c> records of
/// each key, listed in arrival order. A host that runs for hours keeps constant memory (a million send completions
/// once held 53 MiB), totals stay exact, and a rare record (a reset completion) is never pushed out by a frequent one
/// (send completions). Thread-safe; callers never run user code under its lock.
/// </summary>
/// <typeparam name="TKey">What records are counted and windowed by.</typeparam>
/// <typeparam name="T">The record.</typeparam>
internal sealed class KeyedRecentLog<TKey, T>
    where TKey : notnull
{
    private readonly object _gate = new();
    private readonly Dictionary<TKey, Slot> _slots = [];
    private readonly int _capacityPerKey;
    private long _sequence;

    /// <summary>Creates a log that keeps the <paramref name="capacityPerKey"/> most recent records of each key (at least 1).</summary>
    public KeyedRecentLog(int capacityPerKey)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityPerKey, 1);
        _capacityPerKey = capacityPerKey;
    }

    /// <summary>Every record ever added.</summary>
    public long TotalCount
    {
        get
        {
            lock (_gate)
            {
                return _sequence;
            }
        }
    }

    /// <summary>Adds a record: counted under <paramref name="key"/>, kept while it is among that key's most recent.</summary>
    public void Add(TKey key, T record)
    {
        lock (_gate)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                slot = new Slot();
                _slots.Add(key, slot);
            }

            slot.Count++;
            if (slot.Recent.Count == _capacityPerKey)
            {
                slot.Recent.Dequeue();
            }

            slot.Recent.Enqueue((_sequence++, record));
        }
    }

    /// <summary>The number of records ever added whose key satisfies <paramref name="match"/> (all of them when null).</summary>
    public long Count(Func<TKey, bool>? match = null)
    {
        lock (_gate)
        {
            long count = 0;
            foreach (var (key, slot) in _slots)
            {
                if (match is null || match(key))
                {
                    count += slot.Count;
                }
            }

            return count;
        }
    }

    /// <summary>The records still kept, in the order they were added.</summary>
    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            var kept = new List<(long Sequence, T Record)>();
            foreach (var slot in _slots.Values)
            {
                kept.AddRange(slot.Recent);
            }

            kept.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            return kept.ConvertAll(static k => k.Record);
        }
    }

    private sealed class Slot
    {
        public long Count;
        public readonly Queue<(long Sequence, T Record)> Recent = new();
    }
}
