using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

public static partial class Ke
{
    /// <summary>
    /// The interrupt time (KeQueryInterruptTime): 100 ns units since engine time 0 ("boot"), on the engine of the host
    /// whose routine the thread runs (or of the <see cref="UseEngine"/> scope). Virtual engines read virtual time.
    /// </summary>
    /// <returns>100 ns units.</returns>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="InvalidOperationException">The calling thread runs no host routine and no UseEngine scope.</exception>
    public static ulong KeQueryInterruptTime() =>
        (ulong)(CurrentEngine(nameof(KeQueryInterruptTime)).NowNanoseconds / TimeUnits.NanosecondsPer100ns);

    /// <summary>
    /// The system time (KeQuerySystemTime): 100 ns units since 1601-01-01 on the epoch of the host whose routine the thread
    /// runs (<see cref="KernelHostOptions.SystemTimeAtEngineZero100ns"/>). Unlike Windows' clock-tick resolution, it is as
    /// precise as <see cref="KeQuerySystemTimePrecise"/>.
    /// </summary>
    /// <param name="CurrentTime">Receives the time, 100 ns since 1601.</param>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="InvalidOperationException">No host routine and no UseEngine scope on the calling thread.</exception>
    public static void KeQuerySystemTime(out long CurrentTime) => CurrentTime = SystemTimeNow(nameof(KeQuerySystemTime));

    /// <summary>The precise system time (KeQuerySystemTimePrecise): as <see cref="KeQuerySystemTime"/>.</summary>
    /// <param name="CurrentTime">Receives the time, 100 ns since 1601.</param>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="InvalidOperationException">No host routine and no UseEngine scope on the calling thread.</exception>
    public static void KeQuerySystemTimePrecise(out long CurrentTime) => CurrentTime = SystemTimeNow(nameof(KeQuerySystemTimePrecise));

    /// <summary>
    /// Busy-waits <paramref name="MicroSeconds"/> µs (KeStallExecutionProcessor). On a virtual clock, at DISPATCH_LEVEL
    /// or above the clock moves forward without firing anything, as a CPU stalled with DPCs masked would: timers due
    /// meanwhile fire late (and a DPC that stalls past the DPC watchdog's allotment trips it). Below DISPATCH_LEVEL
    /// (PASSIVE_LEVEL or APC_LEVEL code polling in a stall loop) the clock moves forward firing what comes due on the
    /// way, on the calling thread, as the DPCs of a Windows machine preempt such code or run on another processor, and
    /// the device models' own timers run too: a driver that waits for its timer or for its device in a passive stall
    /// loop (OFA nvmewin's HwPassiveInitialize) sees both. On a real clock it spins on the engine's clock.
    /// </summary>
    /// <param name="MicroSeconds">The stall, µs.</param>
    /// <remarks>IRQL: any. Uses the engine of the host whose routine the thread runs, else the machine's monotonic clock.</remarks>
    public static void KeStallExecutionProcessor(uint MicroSeconds)
    {
        var nanoseconds = MicroSeconds * TimeUnits.NanosecondsPerMicrosecond;
        switch (KernelContext.CurrentEngine)
        {
            case VirtualTimerEngine virtualEngine when IrqlState.Current < KIRQL.DISPATCH_LEVEL:
                // Below DISPATCH_LEVEL what comes due runs meanwhile (the remarks); the engine lets go of its dispatcher
                // role while each callback runs, so a stall inside a callback of an advance nests.
                virtualEngine.AdvanceBy(nanoseconds);
                break;
            case VirtualTimerEngine virtualEngine:
                virtualEngine.Stall(nanoseconds);
                break;
            case { } engine:
                var until = engine.NowNanoseconds + nanoseconds;
                while (engine.NowNanoseconds < until)
                {
                    Thread.SpinWait(20);
                }

                break;
            default:
                var end = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(nanoseconds * (System.Diagnostics.Stopwatch.Frequency / (double)TimeUnits.NanosecondsPerSecond));
                while (System.Diagnostics.Stopwatch.GetTimestamp() < end)
                {
                    Thread.SpinWait(20);
                }

                break;
        }
    }

    /// <summary>The performance counter's frequency here: 10 MHz (100 ns per count), as Windows reports on most machines.</summary>
    public const long PerformanceFrequency = 10_000_000;

    /// <summary>
    /// The performance counter (KeQueryPerformanceCounter): counts of 100 ns since engine time 0, on the engine of the host
    /// whose routine the thread runs; <paramref name="PerformanceFrequency"/> receives <see cref="Ke.PerformanceFrequency"/>.
    /// </summary>
    /// <param name="PerformanceFrequency">Receives the counts per second (10,000,000).</param>
    /// <returns>The counter.</returns>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="InvalidOperationException">No host routine and no UseEngine scope on the calling thread.</exception>
    public static long KeQueryPerformanceCounter(out long PerformanceFrequency)
    {
        PerformanceFrequency = Ke.PerformanceFrequency;
        return CurrentEngine(nameof(KeQueryPerformanceCounter)).NowNanoseconds / TimeUnits.NanosecondsPer100ns;
    }

    /// <summary>
    /// The clock-interrupt period (KeQueryTimeIncrement), 100 ns units: the host's Windows clock tick when it set one
    /// (<see cref="KernelHostOptions.WindowsClockTickMicroseconds"/>), else Windows' default 156,250 (15.625 ms).
    /// </summary>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    public static uint KeQueryTimeIncrement() =>
        (uint)((KernelContext.Current?.HostOptions?.WindowsClockTickMicroseconds ?? KernelHostOptions.DefaultWindowsClockTickMicroseconds) * 10);

    /// <summary>
    /// Clock interrupts since engine time 0 (KeQueryTickCount): the engine time divided by <see cref="KeQueryTimeIncrement"/>.
    /// </summary>
    /// <param name="CurrentCount">Receives the tick count.</param>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="InvalidOperationException">No host routine and no UseEngine scope on the calling thread.</exception>
    public static void KeQueryTickCount(out long CurrentCount) =>
        CurrentCount = CurrentEngine(nameof(KeQueryTickCount)).NowNanoseconds / TimeUnits.NanosecondsPer100ns / KeQueryTimeIncrement();

    private static long SystemTimeNow(string routine) =>
        KernelTime.SystemTime100ns(CurrentEngine(routine).NowNanoseconds, KernelContext.CurrentSystemTimeAtEngineZero100ns);

    private static TimerEngine CurrentEngine(string routine) =>
        KernelContext.CurrentEngine ?? throw new InvalidOperationException($"{routine}: no engine. Call it from a miniport routine of a host, or inside Ke.UseEngine(engine).");
}
