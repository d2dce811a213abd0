using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// An executive timer (EX_TIMER) from ExAllocateTimer: its callback runs at DISPATCH_LEVEL on expiry. ExDeleteTimer frees
/// it; afterwards it never runs again. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// It stands on the one timer core (<see cref="TimerCore"/>): a row in its host's report (kind "EX_TIMER", named after
/// the callback), trace events, and the host's Windows clock tick, except for an EX_TIMER_HIGH_RESOLUTION timer, which
/// Windows drives with the fastest clock the system has (the DDI page and "High-resolution timers": it expires at its
/// nominal time, never early, not on the default tick) and this host runs precisely. The core's rule is
/// <see cref="ExpiryRule.RunOnceAfterCancel"/>; a delete is the core's free.
/// </para>
/// <para>
/// Synchronization rules (the core's gate, never held while the callback runs): an expiry commits when it finds the timer
/// not deleted; a delete that takes the gate first wins. A delete with wait (ExDeleteTimer Wait = TRUE) that comes after
/// waits for the callback to return, unless it is that callback deleting its own timer.
/// </para>
/// <code>
///   dispatcher (expiry)                 caller
///   lock gate                           ExDeleteTimer(Wait = TRUE)
///     deleted? ──yes──► drop              lock gate; deleted = true (or after this expiry)
///     running.Enter()                     running on another thread? ──► Monitor.Wait until it returns
///   unlock; callback(...)               unlock
///   running.Exit (a free waiting? PulseAll)
/// </code>
/// </remarks>
public sealed class EX_TIMER : KernelObject
{
    private readonly Core _timer;

    internal EX_TIMER(EXT_CALLBACK? callback, object? context, uint attributes)
    {
        Bind(nameof(Ex.ExAllocateTimer));
        Callback = callback;
        Context = context;
        Attributes = attributes;
        _timer = new Core(this, Engine!);
    }

    /// <summary>EX_TIMER_* attributes.</summary>
    public uint Attributes { get; }

    internal EXT_CALLBACK? Callback { get; }

    internal object? Context { get; }

    internal bool IsHighResolution => (Attributes & Ex.EX_TIMER_HIGH_RESOLUTION) != 0;

    internal bool IsNoWake => (Attributes & Ex.EX_TIMER_NO_WAKE) != 0;

    internal bool IsDeleted => _timer.IsFreed;

    /// <summary>True when the calling thread is running this timer's callback.</summary>
    internal bool InOwnCallback => _timer.InOwnCallback;

    internal bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds) => _timer.Set(dueNanoseconds, periodNanoseconds, toleranceNanoseconds);

    internal bool Cancel() => _timer.Abandon();

    /// <summary>
    /// Deletes the timer. When it is still pending (ExDeleteTimer with Cancel = FALSE) its pending expiry runs once and
    /// then it is gone; otherwise it never runs again. With <paramref name="wait"/>, waits for a callback running on
    /// another thread.
    /// </summary>
    internal void Delete(bool wait) => _timer.Delete(wait);

    /// <summary>The EX_TIMER's core: the delete-after-expiry rule, under the core's claim (TimerCore diagram (7)).</summary>
    private sealed class Core(EX_TIMER owner, TimerEngine engine) : TimerCore(engine, "EX_TIMER", ExpiryRule.RunOnceAfterCancel)
    {
        private static readonly Action NoCallbackDelegate = NoCallback;

        private bool _deleteAfterExpiry;

        protected override ITimerRecords Records => owner.Scope!.TimerRecords;

        protected override string Track => owner.Scope!.Track;

        // Read once: a rebinding (KernelObject.Rebind) moves the object to another scope of the same host, whose options
        // (and so its tick) are the same.
        private readonly long? _windowsClockTickMicroseconds = owner.Scope!.HostOptions?.WindowsClockTickMicroseconds;

        protected override long? WindowsClockTickMicroseconds => _windowsClockTickMicroseconds;

        public bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds)
        {
            using (ClaimFields())
            {
                BeginRequestLocked(owner.Callback ?? (Delegate)NoCallbackDelegate, owner.Context);
                return ArmEngineLocked(dueNanoseconds, periodNanoseconds, toleranceNanoseconds, quantize: !owner.IsHighResolution);
            }
        }

        public void Delete(bool wait)
        {
            using (ClaimFields())
            {
                if (IsQueued)
                {
                    _deleteAfterExpiry = true;
                }
                else
                {
                    Freed = true;
                }
            }

            if (wait)
            {
                WaitForReturn(); // after letting go: the callback's return waits for no claim of ours
            }
        }

        protected override void OnCommitLocked()
        {
            if (_deleteAfterExpiry)
            {
                Freed = true; // this was the pending expiry a Cancel = FALSE delete let through: the last one
                DequeueLocked(out _);
            }
        }

        protected override void RunExpiry(in TimerFiring firing) =>
            owner.RunAtDispatch((Timer: this, Firing: firing), static (in s) => s.Timer.InvokeIfCurrent(s.Firing));

        protected override void InvokeCallback(Delegate callback, object? context, long startNanoseconds) => owner.Callback?.Invoke(owner, context);

        /// <summary>The row name of a timer allocated without a callback.</summary>
        private static void NoCallback()
        {
        }
    }
}
