using MiniportTimers.Engine;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.ModelBased;

/// <summary>
/// What CsCheck's SampleParallel drives from several threads at once: a Storport adapter on a virtual engine with four
/// initialized extended timers. Requests and cancels run concurrently (the clock stands still meanwhile); the state
/// compared afterwards is what happens when the clock then moves: which timer fires when, with what context, and how
/// many requests were answered BUSY.
/// </summary>
public sealed class ParallelTimerRig
{
    private const int Slots = 4;
    private readonly StorportTestBed _bed = new();
    private readonly StorPortTimerHandle?[] _handles = new StorPortTimerHandle?[Slots];
    private readonly List<string> _fired = [];
    private long _busy;
    private string? _settled;

    public ParallelTimerRig()
    {
        for (var i = 0; i < Slots; i++)
        {
            Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(_bed.Ext, out _handles[i]));
        }
    }

    /// <summary>StorPortRequestTimer on a slot; 0 µs cancels. Thread-safe, as the DDI is.</summary>
    public void Request(int slot, long microseconds, int tag)
    {
        var status = StorPortRequestTimer(_bed.Ext, _handles[slot], Fired, $"s{slot}/{microseconds}/{tag}", (ulong)microseconds, 0);
        if (status == STOR_STATUS_BUSY)
        {
            Interlocked.Increment(ref _busy);
        }
    }

    /// <summary>
    /// Moves the clock 10 s once and describes what happened. Cached, and locked: CsCheck compares one actual with several
    /// models, from several threads at once, and two advances of one virtual clock at once would let a callback read the
    /// clock after the other advance moved it (documented behaviour of the virtual engine, not of the system under test).
    /// </summary>
    public string Settle()
    {
        lock (_settleGate)
        {
            return SettleLocked();
        }
    }

    private readonly object _settleGate = new();

    private string SettleLocked()
    {
        if (_settled is null)
        {
            _bed.Engine.AdvanceBy(10 * TimeUnits.NanosecondsPerSecond);
            lock (_fired)
            {
                _settled = $"busy {Interlocked.Read(ref _busy)}; fired {string.Join(", ", _fired)}; bug checks {_bed.Host.BugChecks.Count}";
            }
        }

        return _settled;
    }

    /// <summary>Describes the rig without moving its clock (CsCheck prints states while it works): settled or not.</summary>
    public override string ToString() => _settled ?? $"not settled: busy {Interlocked.Read(ref _busy)}, clock at {_bed.Engine.NowNanoseconds / 1000} us";

    private void Fired(object extension, object? context)
    {
        lock (_fired)
        {
            _fired.Add($"{context}@{_bed.Engine.NowNanoseconds / 1000}");
        }
    }
}
