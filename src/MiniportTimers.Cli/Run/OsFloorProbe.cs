using System.Diagnostics;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Cli.Bench;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// The OS wake-up floor, measured during a real-clock run beside its timers (what tools/os-floor/run measures, in
/// process): an ordinary thread waits on a periodic absolute 1 ms timerfd, the primitive the engine's dispatcher sleeps
/// on, and records how late each wake-up is. The engine's lateness sits on this floor (it beats it only when it is
/// already awake for another timer), so a reader judges the report's lateness against it. Linux only (elsewhere: null).
/// </summary>
internal sealed class OsFloorProbe : IDisposable
{
    private const long PeriodNanoseconds = 1_000_000;
    private readonly Thread _thread;
    private readonly List<double> _latenessMicroseconds = [];
    private volatile bool _stop;

    private OsFloorProbe()
    {
        _thread = new Thread(Measure) { IsBackground = true, Name = "os-floor probe" };
        _thread.Start();
    }

    /// <summary>Starts probing, or returns null where the probe does not apply (not Linux, or a Stopwatch that is not the monotonic clock in ns).</summary>
    public static OsFloorProbe? TryStart() =>
        OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000 ? new OsFloorProbe() : null;

    /// <summary>Stops and summarizes what was measured.</summary>
    public OsFloor Finish()
    {
        _stop = true;
        _thread.Join();
        LatenessHistogram histogram;
        lock (_latenessMicroseconds)
        {
            histogram = new LatenessHistogram(_latenessMicroseconds);
        }

        return histogram.Count == 0
            ? new OsFloor("timerfd, periodic, absolute, default timer slack", PeriodNanoseconds / 1_000, 0, null, null)
            : new OsFloor("timerfd, periodic, absolute, default timer slack", PeriodNanoseconds / 1_000, histogram.Count, Math.Round(histogram.At(50), 1), Math.Round(histogram.At(99), 1))
            {
                P999Microseconds = Math.Round(histogram.At(99.9), 1),
                MaxMicroseconds = Math.Round(histogram.Max, 1),
                OverTargetFraction = FractionOver(LateFireRow.TargetTimesOsFloorP99 * histogram.At(99)),
            };
    }

    /// <summary>
    /// One wake-up of the probe: how late it was, ns, and the next deadline it waits for. <paramref name="expectedNanoseconds"/>
    /// is the earliest expiry not yet read, the deadline the thread was asleep for; <paramref name="expirations"/> is the
    /// timerfd's count of expiries since the last read (≥ 1). The lateness is counted from that earliest expiry: a wake-up
    /// 3.5 ms late on a 1 ms period covers four expiries and is 3.5 ms late, not 0.5 ms (session twelve: counted from the
    /// latest expiry, as before, no sample could exceed the period, and the floor's p99.9 and max were capped at 1 ms
    /// while the engine's own lateness, counted from each due time, was not). The expiries it slept through are not
    /// samples of their own: a thread sleeping to a deadline wakes once, as a periodic timer that skips missed periods.
    /// </summary>
    /// <param name="expectedNanoseconds">The earliest expiry not yet read, Stopwatch ns.</param>
    /// <param name="expirations">The count the timerfd read returned, ≥ 1.</param>
    /// <param name="wokeNanoseconds">The clock right after the read returned, Stopwatch ns.</param>
    /// <param name="periodNanoseconds">The timer's period, ns, &gt; 0.</param>
    /// <returns>The lateness of the wake-up, ns, and the next expiry not yet read.</returns>
    internal static (long LatenessNanoseconds, long NextExpectedNanoseconds) Sample(long expectedNanoseconds, ulong expirations, long wokeNanoseconds, long periodNanoseconds)
    {
        System.Diagnostics.Debug.Assert(expirations >= 1 && periodNanoseconds > 0, "a timerfd read returns at least one expiry");
        return (wokeNanoseconds - expectedNanoseconds, checked(expectedNanoseconds + ((long)expirations * periodNanoseconds)));
    }

    /// <summary>The fraction of the wake-ups measured so far that were later than <paramref name="thresholdMicroseconds"/>.</summary>
    private double FractionOver(double thresholdMicroseconds)
    {
        lock (_latenessMicroseconds)
        {
            return _latenessMicroseconds.Count == 0 ? 0 : (double)_latenessMicroseconds.Count(l => l > thresholdMicroseconds) / _latenessMicroseconds.Count;
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private unsafe void Measure()
    {
        var fd = LinuxTimerFd.Create();
        if (fd < 0)
        {
            return;
        }

        try
        {
            var first = Stopwatch.GetTimestamp() + PeriodNanoseconds;
            if (!LinuxTimerFd.SetAbsolute(fd, first, PeriodNanoseconds))
            {
                return;
            }

            long expected = first;
            ulong expirations;
            while (!_stop && LinuxTimerFd.Read(fd, &expirations, sizeof(ulong)) == sizeof(ulong))
            {
                var woke = Stopwatch.GetTimestamp();
                var (latenessNanoseconds, next) = Sample(expected, expirations, woke, PeriodNanoseconds);
                lock (_latenessMicroseconds)
                {
                    _latenessMicroseconds.Add(latenessNanoseconds / 1_000.0);
                }

                expected = next;
            }
        }
        finally
        {
            _ = LinuxTimerFd.Close(fd);
        }
    }
}

/// <summary>The OS wake-up floor measured in a run: how late an ordinary thread woke for <see cref="PeriodMicroseconds"/> deadlines, µs.</summary>
internal sealed record OsFloor(string Method, long PeriodMicroseconds, int Samples, double? P50Microseconds, double? P99Microseconds)
{
    /// <summary>The 99.9th percentile, µs; null without samples. A timer with fewer than 100 fires has its worst fire as
    /// its p99, so its p99 meets the floor's tail, not the floor's p99: this and <see cref="MaxMicroseconds"/> show that tail.</summary>
    public double? P999Microseconds { get; init; }

    /// <summary>The latest wake-up, µs; null without samples.</summary>
    public double? MaxMicroseconds { get; init; }

    /// <summary>
    /// The fraction (0 to 1) of the floor's own wake-ups later than <see cref="LateFireRow.TargetTimesOsFloorP99"/>× its
    /// p99 (issue 27's yardstick); null without samples. A timer with n &lt; 100 fires has its worst fire as its p99, so
    /// even a timer that only ever waited for the OS misses the yardstick with probability 1 − (1 − this)^n
    /// (<see cref="ChanceOfAWakeUpOverTarget"/>): what the report sets beside a miss.
    /// </summary>
    public double? OverTargetFraction { get; init; }

    /// <summary>
    /// The chance that <paramref name="wakeUps"/> wake-ups drawn from this floor include one later than
    /// <see cref="LateFireRow.TargetTimesOsFloorP99"/>× its p99, 0 to 1: 1 − (1 − <see cref="OverTargetFraction"/>)^n. Null
    /// without samples.
    /// </summary>
    /// <param name="wakeUps">How many wake-ups, ≥ 0.</param>
    public double? ChanceOfAWakeUpOverTarget(long wakeUps) =>
        OverTargetFraction is { } f ? 1 - Math.Pow(1 - f, wakeUps) : null;
}
