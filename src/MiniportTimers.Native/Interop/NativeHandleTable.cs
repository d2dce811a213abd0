using System.Diagnostics;

namespace MiniportTimers.Native.Interop;

/// <summary>What a handle a driver passed back stands for.</summary>
internal enum HandleState
{
    /// <summary>Not a handle this table gave (NULL, another table's, or made up).</summary>
    Unknown,

    /// <summary>A handle this table gave whose object is still allocated.</summary>
    Live,

    /// <summary>A handle this table gave whose object was freed: a use after free, recognised without keeping the object.</summary>
    Freed,
}

/// <summary>
/// The one handle-table type of the bridge: the opaque handles a native driver holds for the host's objects (Storport
/// timer handles, NDIS timer objects, interrupts, work items, EX_TIMERs, adapter handles).
/// </summary>
/// <remarks>
/// <para>
/// A handle is <c>tag &lt;&lt; 48 | (index + 1) &lt;&lt; 20 | generation &lt;&lt; 4</c>: never NULL, 16-byte aligned like a
/// pool allocation, and not a canonical x64 address, so a driver that dereferences one faults at once instead of
/// scribbling. <see cref="Remove"/> drops the object (nothing keeps a freed object alive) and bumps the slot's
/// generation; the slot is reused by the next <see cref="Add"/>. A handle whose index is in range but whose generation is
/// not the slot's current live one is <see cref="HandleState.Freed"/>, so a double free or a use after free gets the
/// precise answer the C# surface gives for a freed object. After 65,536 reuses of one slot a very old handle could
/// alias a live one; memory stays proportional to the most handles live at once.
/// </para>
/// <para>Invariants: a slot is on the free list exactly when its <c>Value</c> is null; generations only grow (mod 2^16).</para>
/// <para>Thread-safe: one lock, held for a few instructions and never while calling out.</para>
/// </remarks>
internal sealed class NativeHandleTable<T>
    where T : class
{
    private const int IndexShift = 20;
    private const int GenerationShift = 4;
    private const long IndexMask = (1L << 28) - 1;
    private const int TagShift = 48;

    private readonly Lock _gate = new();
    private readonly long _tag;
    private Entry[] _entries = new Entry[16];
    private int _used;
    private int _freeHead = -1;
    private int _live;
    private long _removed;

    /// <param name="tag">A byte that tells one table's handles from another's in a dump (an ASCII letter).</param>
    public NativeHandleTable(byte tag) => _tag = (long)tag << TagShift;

    /// <summary>Live handles.</summary>
    public int Count
    {
        get
        {
            using (_gate.EnterScope())
            {
                return _live;
            }
        }
    }

    /// <summary>Slots allocated (live plus reusable): what the table's memory is proportional to.</summary>
    public int Capacity
    {
        get
        {
            using (_gate.EnterScope())
            {
                return _used;
            }
        }
    }

    /// <summary>Handles freed since the table was made (each successful <see cref="Remove"/>).</summary>
    public long Removed
    {
        get
        {
            using (_gate.EnterScope())
            {
                return _removed;
            }
        }
    }

    /// <summary>A new handle for <paramref name="value"/>.</summary>
    public nint Add(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using (_gate.EnterScope())
        {
            int index;
            if (_freeHead >= 0)
            {
                index = _freeHead;
                _freeHead = _entries[index].NextFree;
            }
            else
            {
                if (_used == _entries.Length)
                {
                    Array.Resize(ref _entries, _entries.Length * 2);
                }

                index = _used++;
            }

            ref var entry = ref _entries[index];
            Debug.Assert(entry.Value is null, "a slot on the free list holds no object");
            entry.Value = value;
            entry.Tombstone = null;
            entry.NextFree = -1;
            _live++;
            return Encode(index, entry.Generation);
        }
    }

    /// <summary>The object <paramref name="handle"/> stands for, or null when it is unknown or freed.</summary>
    public T? Get(nint handle) => Find(handle, out var value) == HandleState.Live ? value : null;

    /// <summary>What <paramref name="handle"/> stands for.</summary>
    public HandleState Find(nint handle, out T? value) => Find(handle, out value, out _);

    /// <summary>What <paramref name="handle"/> stands for; for a freed handle whose slot was not reused since, the tombstone <see cref="Remove"/> left.</summary>
    public HandleState Find(nint handle, out T? value, out object? tombstone)
    {
        value = null;
        tombstone = null;
        if (!TryDecode(handle, out var index, out var generation))
        {
            return HandleState.Unknown;
        }

        using (_gate.EnterScope())
        {
            if (index >= _used)
            {
                return HandleState.Unknown;
            }

            ref var entry = ref _entries[index];
            if (entry.Value is not null && entry.Generation == generation)
            {
                value = entry.Value;
                return HandleState.Live;
            }

            tombstone = entry.Tombstone;
            return HandleState.Freed;
        }
    }

    /// <summary>
    /// Frees <paramref name="handle"/>'s slot (the object is dropped); false when it was not live. <paramref name="tombstone"/>
    /// (an object that outlives the freed one anyway, such as its host) is what a later use of the stale handle finds, so
    /// the answer can follow the host's verifier setting.
    /// </summary>
    public bool Remove(nint handle, object? tombstone = null)
    {
        if (!TryDecode(handle, out var index, out var generation))
        {
            return false;
        }

        using (_gate.EnterScope())
        {
            if (index >= _used)
            {
                return false;
            }

            ref var entry = ref _entries[index];
            if (entry.Value is null || entry.Generation != generation)
            {
                return false;
            }

            FreeSlotLocked(index, tombstone);
            return true;
        }
    }

    /// <summary>
    /// Frees every live handle whose object matches <paramref name="match"/> (the objects of a removed adapter, freed on
    /// its behalf), leaving <paramref name="tombstone"/> as <see cref="Remove"/> does; a later use of one of those
    /// handles is <see cref="HandleState.Freed"/>. O(slots); <paramref name="match"/> runs under the table's lock and
    /// must not call out.
    /// </summary>
    /// <returns>How many handles were freed.</returns>
    public int RemoveWhere(Func<T, bool> match, object? tombstone = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        var removed = 0;
        using (_gate.EnterScope())
        {
            for (var index = 0; index < _used; index++)
            {
                ref var entry = ref _entries[index];
                if (entry.Value is { } value && match(value))
                {
                    FreeSlotLocked(index, tombstone);
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Drops a live slot's object, leaves the tombstone, bumps the generation and puts the slot on the free list. Under the lock.</summary>
    private void FreeSlotLocked(int index, object? tombstone)
    {
        ref var entry = ref _entries[index];
        Debug.Assert(entry.Value is not null, "only a live slot is freed");
        entry.Value = null;
        entry.Tombstone = tombstone;
        entry.Generation = unchecked((ushort)(entry.Generation + 1));
        entry.NextFree = _freeHead;
        _freeHead = index;
        _live--;
        _removed++;
    }

        private nint Encode(int index, ushort generation) =>
        (nint)(_tag | ((long)(index + 1) << IndexShift) | ((long)generation << GenerationShift));

    private bool TryDecode(nint handle, out int index, out ushort generation)
    {
        var value = (long)handle;
        index = (int)(((value >> IndexShift) & IndexMask) - 1);
        generation = unchecked((ushort)(value >> GenerationShift));
        return handle != 0
            && (value & ~((1L << (TagShift + 8)) - 1)) == 0
            && (value & (0xFFL << TagShift)) == _tag
            && (value & 0xF) == 0
            && index >= 0;
    }

    private struct Entry
    {
        public T? Value;
        public object? Tombstone;
        public ushort Generation;
        public int NextFree;
    }
}
