namespace MiniportTimers.Engine;

/// <summary>
/// Compiles the dispatch path before the first real expiry needs it. A fresh process JIT-compiles each method on its first
/// call, and the first expiries of a run paid for it: a millisecond or more of lateness, which delayed every timer
/// behind them (issue 15: a 4.4 ms first callback held up another adapter's tick by 5 ms). The first real-clock engine
/// of a process runs every path of the shared dispatcher code once on a private virtual engine (arm, cancel, lazy
/// re-arm, tolerance, period, each wheel level, the near heaps, a fire) before its dispatch threads start; the real
/// engine's own loop and OS timer calls are compiled as each thread reaches its first sleep. About 10 ms once per
/// process (`bench --only first` has the figures). Off with the AppContext switch
/// <c>MiniportTimers.Engine.DisableWarmUp</c> (for measuring a cold start).
/// <para>First calls (issue 27, session eight): compiled once is not compiled well. Tiered compilation first makes
/// quick unoptimized code and replaces it only after 30 calls and a 100 ms quiet spell, so the first burst of a process
/// ran its first 100-300 ms on that code: 540-570 ns per expiry against 360-430 in the same process's next burst (and
/// 360-490 with tiering off). The heaps' and the wheel's array loops and the real dispatch loop are marked
/// AggressiveOptimization: compiled optimized at their first call, without the profile a later tier would use (their
/// costs are cache misses, which a profile does not change). Session nine took the mark off DispatchQueue's methods
/// and TimerEngine.Fire (the take, the gather, the pull, the drain, the filing, the fire): there the profile's guarded
/// devirtualization is most of the instruction cost (a virtual Arm+fire 123-131 ns with the mark, 103-110 without),
/// and with the tool's call-counting delay of 0 they are re-compiled with their profile after 30 calls (DispatchQueue
/// "Which methods are compiled at their first call"). A host without that setting runs them unoptimized for its first
/// 100-300 ms. After the warm-up a background task runs them for 300 ms in small rounds (<see cref="TierUpAsync"/>),
/// so that their profiled code is in place before a first burst.</para>
/// </summary>
internal static class DispatchWarmUp
{
    private const string DisableSwitch = "MiniportTimers.Engine.DisableWarmUp";

    /// <summary>Rounds of the tier-up exercise (see <see cref="TierUpAsync"/>), 10 ms apart: 300 ms in all.</summary>
    private const int TierUpRounds = 30;

    /// <summary>Expiries each tier-up round fires (lone and gathered): more than the 30 calls that start a re-compilation.</summary>
    private const int TierUpFiresPerRound = 40;

    private static int s_done;

    /// <summary>True when the AppContext switch turns the warm-ups (this one and the hosting layer's) off.</summary>
    public static bool IsDisabled => AppContext.TryGetSwitch(DisableSwitch, out var disabled) && disabled;

    /// <summary>Runs the warm-up once per process (later calls return at once); thread-safe.</summary>
    public static void EnsureWarm()
    {
        if (Volatile.Read(ref s_done) != 0 || Interlocked.Exchange(ref s_done, 1) != 0)
        {
            return;
        }

        if (IsDisabled)
        {
            return;
        }

        using var engine = CreatePrivateEngine();
        Exercise(engine);
        _ = Task.Run(TierUpAsync);
    }

    /// <summary>
    /// The take, the gather, the filing and the fire are left to tiered compilation (see "First calls" above). A
    /// method is re-compiled with its profile in two steps (an instrumented build after 30 calls, the final one after 30
    /// more), each compiled on a background thread; run all at once, the calls of the warm-up come before the first
    /// build is installed, and the first burst then ran 15-19 % slower (session nine). So a background task runs them
    /// on its own private engine in small rounds 10 ms apart for 300 ms (about 1 ms of CPU in all), and each step's
    /// build is in place before the next round calls it.
    /// </summary>
    private static async Task TierUpAsync()
    {
        using var engine = CreatePrivateEngine();
        var lone = engine.CreateTimer(static (_, in _) => { });
        var second = engine.CreateTimer(static (_, in _) => { });
        var tick = 1L << Queue.TimerWheel.TickShift;
        for (var round = 0; round < TierUpRounds; round++)
        {
            for (var i = 0; i < TierUpFiresPerRound; i++)
            {
                if ((i & 3) == 3)
                {
                    // Two ticks ahead: through the wheel's level 0 into the sorted run (DispatchQueue "The level-0 run"),
                    // both due at once, so that the run is gathered as in a burst.
                    var due = engine.NowNanoseconds + (2 * tick);
                    engine.Arm(lone, due);
                    engine.Arm(second, due);
                    engine.AdvanceBy(3 * tick);
                    continue;
                }

                engine.Arm(lone, engine.NowNanoseconds); // a lone expiry
                if ((i & 1) != 0)
                {
                    engine.Arm(second, engine.NowNanoseconds); // two due at once: a gather
                }

                engine.AdvanceBy(1);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System).ConfigureAwait(false); // the machine's clock on purpose: this paces compilation, no engine timer
        }
    }

    /// <summary>The warm-up's engine: outside the engine registry, so its arms, fires and cancels never reach the
    /// process-wide counters (Meter, EventSource), which docs/architecture.md promises.</summary>
    internal static VirtualTimerEngine CreatePrivateEngine() => new(joinRegistry: false);

    /// <summary>Runs every path of the shared dispatcher code once on <paramref name="engine"/>.</summary>
    internal static void Exercise(VirtualTimerEngine engine)
    {
        var fired = 0;
        EngineTimerCallback count = (_, in _) => fired++;
        var timers = new EngineTimer[8];
        for (var i = 0; i < timers.Length; i++)
        {
            timers[i] = engine.CreateTimer(count);
        }

        const long Ms = TimeUnits.NanosecondsPerMillisecond;
        engine.Arm(timers[0], 0);                                        // due now: near, exact
        engine.Arm(timers[1], 3 * Ms);                                   // wheel level 0
        engine.Arm(timers[2], 50 * Ms, toleranceNanoseconds: Ms);        // level 1, tolerant
        engine.Arm(timers[3], 2 * TimeUnits.NanosecondsPerSecond);       // level 2
        engine.Arm(timers[4], Ms, periodNanoseconds: Ms);                // periodic
        engine.Arm(timers[5], 10 * Ms);
        engine.Cancel(timers[5]);                                        // cancel
        engine.Arm(timers[6], 20 * Ms);
        engine.AdvanceBy(0);
        engine.Arm(timers[6], 30 * Ms);                                  // lazy re-arm
        engine.AdvanceBy(100 * Ms);
        engine.Cancel(timers[4]);
        engine.AdvanceBy(3 * TimeUnits.NanosecondsPerSecond);
        System.Diagnostics.Debug.Assert(fired > 0, "the warm-up fired its timers");
        _ = engine.Statistics;
    }
}
