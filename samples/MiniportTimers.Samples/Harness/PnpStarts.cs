using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MiniportTimers.Engine;

namespace MiniportTimers.Samples.Harness;

/// <summary>
/// The device starts of one workload (<see cref="Workload.StartDevice"/>) on a real engine: one PnP thread of the
/// workload's own runs them in the order they came due, at PASSIVE_LEVEL, as Windows' PnP manager starts a device
/// (IRP_MN_START_DEVICE: the miniport's HwFindAdapter and HwInitialize, or MiniportInitializeEx) on a system worker thread,
/// never in a DPC. Before (issue 27, session nine) the samples started their adapters in workload events on the
/// dispatcher: 1-7 ms each on the real clock (an AHCI HBA's four ports, the disks' early I/O), 10-15 ms in all at the
/// start of a run, during which every timer of that dispatcher waited, and in timers with a few dozen fires that start
/// was their p99.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Enqueue"/> from any thread (the dispatcher, in the event that marks the start's due time);
/// the starts themselves run on the PnP thread one at a time. A start that throws does not end the process: its
/// exception is thrown again on the dispatcher, where an event's exception always went (the engine counts it as a
/// callback fault and the run report lists it).
/// </remarks>
internal sealed class PnpStarts
{
    private readonly TimerEngine _engine;
    private readonly BlockingCollection<Action> _starts = [];
    private readonly object _gate = new();
    private Thread? _thread;

    public PnpStarts(TimerEngine engine) => _engine = engine;

    /// <summary>Starts the PnP thread unless it runs: called where the starts are scheduled (the sample's Start, on the run's main thread), so that a thread is never created on the dispatcher (a few hundred µs to ms).</summary>
    public void EnsureThread()
    {
        lock (_gate)
        {
            _thread ??= StartThread();
        }
    }

    /// <summary>Queues <paramref name="start"/> to the PnP thread (<see cref="EnsureThread"/> was called).</summary>
    public void Enqueue(Action start)
    {
        System.Diagnostics.Debug.Assert(Volatile.Read(ref _thread) is not null, "the PnP thread is started where the starts are scheduled");
        _starts.Add(start);
    }

    /// <summary>Waits until every queued start has returned (at most <paramref name="timeout"/>); true when they have.</summary>
    public bool WaitForStarts(TimeSpan timeout)
    {
        Thread? thread;
        lock (_gate)
        {
            thread = _thread;
            _starts.CompleteAdding();
        }

        return thread is null || thread.Join(timeout);
    }

    private Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "PnP start (device starts of a sample)" };
        thread.Start();
        return thread;
    }

    private void Run()
    {
        foreach (var start in _starts.GetConsumingEnumerable())
        {
            try
            {
                start();
            }
#pragma warning disable CA1031 // a sample's start must not end the process: its exception goes to the dispatcher, as an event's did
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var rethrow = _engine.CreateTimer(static (t, in _) => ExceptionDispatchInfo.Throw((Exception)t.State!), ex);
                _engine.Arm(rethrow, _engine.NowNanoseconds);
            }
        }
    }
}
