namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// Takes one of the library's own internal locks (a timer's gate, a lateness recorder's), the ones never held while
/// user code runs: <c>using (HostLock.Enter(gate)) { … }</c> in place of <c>lock (gate)</c>, with the same Monitor
/// underneath (Monitor.Wait and PulseAll still work on the gate). Uncontended it costs what <c>lock</c> costs. A wait
/// for it is counted in the thread's <see cref="LockWaitCounters"/>, which the DPC watchdog does not charge to the
/// running callback: such a wait is bounded by our own short critical sections, so a long one means the holder was
/// preempted (in Windows the holder of a spin lock runs at DISPATCH_LEVEL and cannot be). A driver's spin locks
/// (KSpinLock) are not taken this way: waiting for those is charged, as Windows charges a DPC spinning on one.
/// </summary>
internal readonly ref struct HostLock
{
    private readonly object _gate;

    private HostLock(object gate) => _gate = gate;

    /// <summary>Takes <paramref name="gate"/>; dispose the result to release it.</summary>
    public static HostLock Enter(object gate)
    {
        if (!Monitor.TryEnter(gate))
        {
            WaitFor(gate);
        }

        return new HostLock(gate);
    }

    /// <summary>Releases the gate.</summary>
    public void Dispose() => Monitor.Exit(_gate);

    private static void WaitFor(object gate)
    {
        var counters = LockWaitCounters.Current;
        counters.BeginWait();
        try
        {
            Monitor.Enter(gate);
        }
        finally
        {
            counters.EndWait();
        }
    }
}
