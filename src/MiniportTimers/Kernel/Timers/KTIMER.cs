using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// A kernel timer (KTIMER), caller-allocated: KeInitializeTimerEx binds it; KeSetTimerEx and friends arm it; on expiry it
/// becomes signalled and queues its DPC (if it has one) with the system time as the DPC's arguments. Thread-safe.
/// </summary>
public sealed class KTIMER : KernelObject
{
    private readonly object _gate = new();
    private EngineTimer? _timer;
    private KDPC? _dpc;
    private bool _signaled;

    /// <summary>Notification or synchronization.</summary>
    public TIMER_TYPE Type { get; private set; }

    internal void Initialize(TIMER_TYPE type)
    {
        // Re-initializing a queued timer would leave its old arming alive (it fired at the old due time, and a later
        // KeCancelTimer said FALSE): cancel it, then report what Driver Verifier reports.
        if (_timer is { } old && old.Engine.Cancel(old))
        {
            VerifierDecision.InKernel(Misuses.KeTimerInitializedWhileQueued, "KeInitializeTimer(Ex) on a timer that is still queued", "KeInitializeTimer(Ex) on a timer that is still queued: the host cancelled the old arming.");
        }

        Bind(nameof(Ke.KeInitializeTimerEx));
        Type = type;
        lock (_gate)
        {
            _timer = Engine!.CreateTimer(static (t, in _) => ((KTIMER)t.State!).Expire(), this);
            _signaled = false;
            _dpc = null;
        }
    }

    /// <summary>Arms at an absolute engine time; returns whether it was queued (implicit cancel).</summary>
    internal bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds, KDPC? dpc)
    {
        var timer = _timer ?? throw new InvalidOperationException("The timer was never initialized (KeInitializeTimerEx).");
        lock (_gate)
        {
            _signaled = false;
            _dpc = dpc;
            if (dpc?.TargetProcessor is { } target)
            {
                timer.Engine.TrySetTargetDispatcher(timer, target); // the DPC's processor: Windows runs it there
            }

            return timer.Engine.Arm(timer, dueNanoseconds, toleranceNanoseconds, periodNanoseconds);
        }
    }

    internal bool Cancel() => _timer is { } timer && timer.Engine.Cancel(timer);

    /// <summary>KeReadStateTimer: signalled? A synchronization timer is reset by the read (a satisfied wait).</summary>
    internal bool ReadState()
    {
        lock (_gate)
        {
            var signaled = _signaled;
            if (Type == TIMER_TYPE.SynchronizationTimer)
            {
                _signaled = false;
            }

            return signaled;
        }
    }

    private void Expire()
    {
        KDPC? dpc;
        lock (_gate)
        {
            _signaled = true;
            dpc = _dpc;
        }

        if (dpc is not null)
        {
            var systemTime = KernelTime.SystemTime100ns(Engine!.NowNanoseconds, SystemTimeAtEngineZero100ns);
            dpc.Insert((uint)(systemTime & 0xFFFFFFFF), (uint)(systemTime >> 32));
        }
    }
}
