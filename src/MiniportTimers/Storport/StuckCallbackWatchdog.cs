namespace MiniportTimers.Storport;

/// <summary>
/// The DPC watchdog for a callback that never returns, on a real clock: a background thread of the host that looks at
/// each adapter's running timer callback or DPC every quarter of the allotment (at most every 10 ms) and, once one has
/// run past <see cref="StorportHostOptions.DpcWatchdogMicroseconds"/> without returning, raises
/// DPC_WATCHDOG_VIOLATION (0x133) for its adapter and stops that adapter, while the callback is still running.
/// </summary>
/// <remarks>
/// <para>
/// A callback that returns late is caught when it returns (DpcWatchdog.Check); this catches the one that does not
/// return at all. .NET cannot abort the stuck thread, so the engine whose dispatch thread it holds stays blocked:
/// other engines (each with its own dispatch thread) keep firing, which is why a process that must survive a stuck
/// driver gives each host its own engine. On a virtual clock a callback cannot run long without returning (time moves
/// only between callbacks), so no thread is started there.
/// </para>
/// <para>
/// Synchronization rules: the thread reads each adapter's running-since stamp without a lock; the adapter's trip flag
/// (an interlocked exchange) makes exactly one report per stuck run, whether the watchdog or the returning callback
/// sees it first:
/// <code>
///   dispatcher                         watchdog thread
///   callback starts, stamp = t0
///   (blocked)                          now - t0 &gt; limit: trip 0 -&gt; 1, Fault (0x133, adapter stopped)
///   callback returns: trip 1 -&gt; 0,
///   no second report
/// </code>
/// </para>
/// </remarks>
internal sealed class StuckCallbackWatchdog
{
    private readonly StorportHost _host;

    private StuckCallbackWatchdog(StorportHost host) => _host = host;

    /// <summary>Starts the watchdog thread of <paramref name="host"/>; it ends when the host's engine is disposed.</summary>
    public static void Start(StorportHost host)
    {
        var watchdog = new StuckCallbackWatchdog(host);
        new Thread(watchdog.Loop) { IsBackground = true, Name = "MiniportTimers DPC watchdog" }.Start();
    }

    private void Loop()
    {
        var limitMicroseconds = _host.Options.DpcWatchdogMicroseconds;
        var period = TimeSpan.FromMicroseconds(Math.Clamp(limitMicroseconds / 4, 1_000, 10_000));
        using var never = new ManualResetEventSlim();
        while (!_host.Engine.IsDisposed)
        {
            never.Wait(period);
            var now = _host.Engine.IsDisposed ? 0 : _host.Engine.NowNanoseconds;
            foreach (var adapter in _host.Adapters)
            {
                adapter.CheckStuckCallback(now, limitMicroseconds);
            }
        }
    }
}
