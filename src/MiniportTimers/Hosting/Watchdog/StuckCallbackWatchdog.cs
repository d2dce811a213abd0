using System.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.Hosting.Watchdog;

/// <summary>
/// The DPC watchdog for a callback that never returns, on a real clock: a background thread of the host that looks at
/// each adapter's running DPC-level callback (timer callbacks and DPCs of both stacks, Ke/Ex DPCs of the adapter, and the host's driver-level timers) every quarter of the allotment (between 1 and 10 ms) and, once one has
/// run past <see cref="Kernel.KernelHostOptions.DpcWatchdogMicroseconds"/> without returning, raises
/// DPC_WATCHDOG_VIOLATION (0x133) for its adapter and stops that adapter (<see cref="CallbackWatch"/>), while the callback is still running.
/// After a quiet second (no callback started) the thread dozes: it scans once per allotment, and a callback that starts
/// does not wake it; after a quiet minute it parks until the next callback starts, so an idle process is not woken by it.
/// </summary>
/// <remarks>
/// <para>
/// A callback that returns late is caught when it returns (DpcWatchdog.CheckOnReturn); this catches the one that does not
/// return at all. .NET cannot abort the stuck thread, so the engine whose dispatch thread it holds stays blocked:
/// other engines (each with its own dispatch thread) keep firing, which is why a process that must survive a stuck
/// driver gives each host its own engine. On a virtual clock a callback cannot run long without returning (time moves
/// only between callbacks), so no thread is started there.
/// </para>
/// <para>
/// Synchronization rules. One report per stuck run: see <see cref="CallbackWatch"/>. Parking never misses a callback that starts meanwhile: each side writes with a full fence, then reads the other's
/// flag (Dekker), so at least one of them sees the other:
/// <code>
///   dispatcher                         watchdog thread
///   stamp = t0 (interlocked)           parked = 1 (interlocked)
///   parked == 1 ? -&gt; parked = 0, wake  any stamp set or activity seen ? -&gt; unpark, scan on
/// </code>
/// </para>
/// <para>
/// Why it dozes before it parks (issue 27): waking a parked thread is a futex call and, on a VM, a wake of an idle
/// virtual CPU, paid by the dispatcher inside the callback that starts, on caches a long sleep left cold: 17-89 µs
/// measured on the 2-core VM, in that callback's run and in the lateness of every timer due behind it (pcnet's two 5 s
/// polls, due 6 µs apart, were `run`'s usual worst timer). A dozing thread wakes by itself: 10 wake-ups a second at the
/// default 100 ms allotment. Detection keeps its bound: a callback that gets stuck while the thread dozes is running
/// at the next doze scan, at most one allotment after it started; that scan wakes the thread up, and the scans after
/// it, a quarter apart, report it within one allotment and a scan period of its start, as when awake.
/// </para>
/// </remarks>
internal sealed class StuckCallbackWatchdog
{
    private readonly MiniportHost _host;
    private readonly object _gate = new(); // Monitor for parking; held only to wait or pulse, never around user code
    private int _sawActivity; // set when a watched callback starts; cleared by each scan
    private int _parked;      // 1 while the thread waits for the next callback
    private long _scans;
    private long _wokenByCallbacks;

    private StuckCallbackWatchdog(MiniportHost host) => _host = host;

    /// <summary>True while the thread is parked (no callback for a quiet second).</summary>
    public bool IsParked => Volatile.Read(ref _parked) == 1;

    /// <summary>Scans made so far.</summary>
    public long Scans => Interlocked.Read(ref _scans);

    /// <summary>Times a starting callback had to wake the parked thread (a futex call on the dispatcher: what dozing avoids).</summary>
    public long WokenByCallbacks => Interlocked.Read(ref _wokenByCallbacks);

    /// <summary>Starts the watchdog thread of <paramref name="host"/>; it ends as soon as the host's engine is disposed (parked or not).</summary>
    public static StuckCallbackWatchdog Start(MiniportHost host)
    {
        var watchdog = new StuckCallbackWatchdog(host);
        // Named after the dispatcher it watches ("stress" → "stress watchdog"), so a thread listing shows whose it is.
        var name = host.Engine is RealTimeTimerEngine real ? $"{real.DispatcherName} watchdog" : "MiniportTimers DPC watchdog";
        new Thread(watchdog.Loop) { IsBackground = true, Name = name }.Start();
        return watchdog;
    }

    /// <summary>Called by the dispatcher after it stamped a starting callback (with a full fence).</summary>
    public void NoteCallbackStarted()
    {
        if (Volatile.Read(ref _sawActivity) == 0)
        {
            Volatile.Write(ref _sawActivity, 1);
        }

        if (Volatile.Read(ref _parked) == 1 && Interlocked.Exchange(ref _parked, 0) == 1)
        {
            Interlocked.Increment(ref _wokenByCallbacks);
            lock (_gate)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    private void Loop()
    {
        var limitMicroseconds = _host.HostOptions.DpcWatchdogMicroseconds;
        var period = TimeSpan.FromMicroseconds(Math.Clamp(limitMicroseconds / 4, 1_000, 10_000));
        var dozePeriod = TimeSpan.FromMicroseconds(Math.Clamp(limitMicroseconds, period.TotalMicroseconds, 1_000_000));
        var quietSince = Stopwatch.GetTimestamp();
        var disposed = _host.Engine.DisposedToken;
        using var wakeOnDispose = disposed.Register(static s =>
        {
            var gate = ((StuckCallbackWatchdog)s!)._gate;
            lock (gate)
            {
                Monitor.PulseAll(gate);
            }
        }, this);
        while (!_host.Engine.IsDisposed)
        {
            // Awake: a scan every period. Dozing (a quiet second): a scan every allotment; a callback that starts only
            // leaves _sawActivity for the next scan, which wakes the thread up. Parked (a quiet minute): below.
            var quiet = Stopwatch.GetElapsedTime(quietSince);
            disposed.WaitHandle.WaitOne(quiet >= _host.WatchdogQuietBeforeDozing ? dozePeriod : period);
            var running = Scan();
            if (Interlocked.Exchange(ref _sawActivity, 0) == 1 || running)
            {
                quietSince = Stopwatch.GetTimestamp();
                continue;
            }

            if (Stopwatch.GetElapsedTime(quietSince) < _host.WatchdogQuietBeforeParking)
            {
                continue;
            }

            Interlocked.Exchange(ref _parked, 1);
            if (Volatile.Read(ref _sawActivity) == 1 || Scan())
            {
                Interlocked.Exchange(ref _parked, 0);
                quietSince = Stopwatch.GetTimestamp();
                continue;
            }

            // Parked: woken by the next callback start; once a minute anyway, to notice the engine's disposal.
            bool woken;
            lock (_gate)
            {
                woken = Volatile.Read(ref _parked) == 0 || disposed.IsCancellationRequested || Monitor.Wait(_gate, TimeSpan.FromMinutes(1));
            }

            if (woken)
            {
                quietSince = Stopwatch.GetTimestamp();
            }

            Interlocked.Exchange(ref _parked, 0);
        }
    }

    /// <summary>Checks every adapter's watch and the driver-level one; true if any is running a watched callback.</summary>
    private bool Scan()
    {
        Interlocked.Increment(ref _scans);
        var now = _host.Engine.IsDisposed ? 0 : _host.Engine.NowNanoseconds;
        var running = false;
        foreach (var watch in _host.CallbackWatches())
        {
            running |= watch.Check(now, _host.HostOptions.DpcWatchdogMicroseconds);
        }

        return running;
    }
}
