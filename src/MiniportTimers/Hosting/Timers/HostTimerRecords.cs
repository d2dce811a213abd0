using MiniportTimers.Diagnostics;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Hosting.Timers;

/// <summary>
/// A host's records of its timers, for the kernel's timer core (<see cref="ITimerRecords"/>): rows in the host's
/// <see cref="HostDiagnostics.TimerActivity"/> (a callback named by its delegate's method, or by
/// <see cref="ICallbackName"/> for a native driver's C function) and events in its <see cref="MiniportHost.Trace"/>,
/// read at each call (the trace may be attached later). One per host; every timer of the host uses it, the kernel's
/// KTIMER and EX_TIMER of its routines through their kernel scope.
/// </summary>
/// <remarks>Thread-safe: the table and the trace recorder are.</remarks>
internal sealed class HostTimerRecords(MiniportHost host) : ITimerRecords, ITimerTrace
{
    /// <inheritdoc/>
    public ITimerTrace? Trace => host.Trace is null ? null : this;

    /// <inheritdoc/>
    /// <remarks>
    /// On a real clock a new row's lateness recorder is prefaulted (<see cref="LatenessRecorder.Prefault()"/>): on the
    /// arming thread, or, when the arming runs on a dispatcher thread (a timer first armed from a DPC or a callback), a
    /// page a millisecond on a thread of its own while the row is in use (<see cref="RecorderPrefaulter"/>). On the
    /// dispatcher 0.5 ms per recorder would hold up every timer of it (issue 27: 0.9-1.6 ms of storahci's first DPCs when
    /// it did), and left untouched, the row's samples paid the faults on the fire path: 20-58 µs in a 1 s watchdog's
    /// new-worst fires (nvme's IsDeviceRemoved, session twenty).
    /// </remarks>
    public ITimerRow RowFor(string kind, Delegate callback) =>
        host.Diagnostics.TimerActivity.For(
            kind,
            callback.Target is ICallbackName named ? named.CallbackName : callback.Method.Name,
            host.Engine.IsVirtual ? RecorderPrefault.None : host.Engine.IsDispatcherThread ? RecorderPrefault.InBackground : RecorderPrefault.Now);

    /// <inheritdoc/>
    public void Arm(string track, string kind, string callback, long atNanoseconds, long dueNanoseconds) =>
        host.Trace?.Arm(track, kind, callback, atNanoseconds, dueNanoseconds);

    /// <inheritdoc/>
    public void Cancel(string track, string kind, string callback, long atNanoseconds) =>
        host.Trace?.Cancel(track, kind, callback, atNanoseconds);

    /// <inheritdoc/>
    public void Callback(string track, string kind, string callback, long dueNanoseconds, long startNanoseconds, long endNanoseconds) =>
        host.Trace?.Callback(track, kind, callback, dueNanoseconds, startNanoseconds, endNanoseconds);
}
