namespace MiniportTimers.Engine;

/// <summary>
/// An indexed binary min-heap of <see cref="EngineTimer"/>s. Each timer stores its own position, so removal of
/// an arbitrary timer is O(log n). One instance orders by due time, the other by latest-allowed deadline;
/// ties go to the lower <see cref="EngineTimer.InsertionOrder"/>, which makes the order total and deterministic.
/// Not thread-safe: only the engine's dispatcher touches it. Keys are the dispatcher's copies (HeapDue, HeapDeadline).
/// </summary>
internal sealed class TimerHeap
{
    private readonly bool _byDeadline;
    private EngineTimer[] _items = new EngineTimer[16];

    public TimerHeap(bool byDeadline) => _byDeadline = byDeadline;

    public int Count { get; private set; }

    /// <summary>True when the timer is in this heap.</summary>
    public bool Contains(EngineTimer t) => IndexOf(t) >= 0;

    /// <summary>The smallest element; the heap must not be empty.</summary>
    public EngineTimer Min => _items[0];

    public void Insert(EngineTimer timer)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, checked(_items.Length * 2));
        }

        var index = Count++;
        Place(timer, index);
        SiftUp(index);
    }

    public void Remove(EngineTimer timer)
    {
        var index = IndexOf(timer);
        var lastIndex = --Count;
        var last = _items[lastIndex];
        _items[lastIndex] = null!;
        SetIndex(timer, -1);
        if (index == lastIndex)
        {
            return;
        }

        Place(last, index);
        if (index > 0 && Less(last, _items[(index - 1) / 2]))
        {
            SiftUp(index);
        }
        else
        {
            SiftDown(index);
        }
    }

    private long Key(EngineTimer t) => _byDeadline ? t.HeapDeadline : t.HeapDue;

    private int IndexOf(EngineTimer t) => _byDeadline ? t.DeadlineHeapIndex : t.DueHeapIndex;

    private void SetIndex(EngineTimer t, int index)
    {
        if (_byDeadline)
        {
            t.DeadlineHeapIndex = index;
        }
        else
        {
            t.DueHeapIndex = index;
        }
    }

    private bool Less(EngineTimer a, EngineTimer b)
    {
        var ka = Key(a);
        var kb = Key(b);
        return ka < kb || (ka == kb && a.InsertionOrder < b.InsertionOrder);
    }

    private void Place(EngineTimer timer, int index)
    {
        _items[index] = timer;
        SetIndex(timer, index);
    }

    private void SiftUp(int index)
    {
        var item = _items[index];
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!Less(item, _items[parent]))
            {
                break;
            }

            Place(_items[parent], index);
            index = parent;
        }

        Place(item, index);
    }

    private void SiftDown(int index)
    {
        var item = _items[index];
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && Less(_items[child + 1], _items[child]))
            {
                child++;
            }

            if (!Less(_items[child], item))
            {
                break;
            }

            Place(_items[child], index);
            index = child;
        }

        Place(item, index);
    }
}
