using System.Globalization;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// How short a run may be. A sample's scenario schedules its events at fixed shares of the run (netvmini pauses at
/// 20 %, restarts at 40 %, resets at 60 %) and some of them complete from the driver's own timers (netvmini's 100 ms
/// busy check, storahci's port-start polls): a run shorter than those need would end with them still pending and fail
/// its invariants. So the shortest run is refused up front (exit code 2) with what it needs, instead of failing after
/// it: each sample's need, plus a few Windows clock ticks when <c>--windows-tick</c> stretches its timers. The needs
/// were measured on the virtual clock (seeds 1-3) with margin, and a test runs every sample at its minimum.
/// </summary>
internal static class RunLimits
{
    /// <summary>The shortest run of all, ms.</summary>
    public const long MinimumDurationMilliseconds = 100;

    /// <summary>The longest run, ms (a day).</summary>
    public const long MaximumDurationMilliseconds = 86_400_000;

    /// <summary>What each sample needs: ms, and Windows clock ticks on top when --windows-tick is given.</summary>
    private static readonly Dictionary<string, (long Milliseconds, int Ticks, string Why)> Needs = new(StringComparer.Ordinal)
    {
        ["storahci"] = (1_000, 5, "its ports start one after another, polled every 10-20 ms"),
        ["nvme"] = (MinimumDurationMilliseconds, 3, "its start state machine polls every 5 ms"),
        ["nvme-win7"] = (MinimumDurationMilliseconds, 3, "its start state machine polls every 5 ms"),
        ["netvmini"] = (2_000, 2, "its pause and reset complete from a 100 ms busy-check timer"),
        ["pcnet"] = (MinimumDurationMilliseconds, 0, string.Empty),
        ["e100bex"] = (MinimumDurationMilliseconds, 0, string.Empty),
    };

    /// <summary>The rule, for <c>--help</c> and the README.</summary>
    public const string HelpText = "Shorter runs than the samples need are refused: storahci needs 1,000 ms, netvmini 2,000 ms, the others 100 ms; with --windows-tick, up to 5 ticks more.";

    /// <summary>The shortest run <paramref name="samples"/> fit in, ms, and the sample that needs it (null: none needs more than the minimum).</summary>
    public static (long Milliseconds, string? Sample) MinimumFor(IEnumerable<string> samples, long? windowsTickMicroseconds)
    {
        var tickMilliseconds = (windowsTickMicroseconds ?? 0) / 1000.0;
        (long Milliseconds, string? Sample) longest = (MinimumDurationMilliseconds, null);
        foreach (var sample in samples.Where(Needs.ContainsKey))
        {
            var need = (long)Math.Ceiling(Needs[sample].Milliseconds + (Needs[sample].Ticks * tickMilliseconds));
            if (need > longest.Milliseconds)
            {
                longest = (need, sample);
            }
        }

        return longest;
    }

    /// <summary>Why a run of <paramref name="durationMilliseconds"/> cannot hold <paramref name="samples"/>, or null when it can.</summary>
    /// <param name="durationMilliseconds">The run's length.</param>
    /// <param name="given">Whether the length was given (else it is the default).</param>
    /// <param name="samples">The samples the run hosts.</param>
    /// <param name="windowsTickMicroseconds">--windows-tick, or null.</param>
    public static string? DurationProblem(long durationMilliseconds, bool given, IEnumerable<string> samples, long? windowsTickMicroseconds)
    {
        var (minimum, sample) = MinimumFor(samples, windowsTickMicroseconds);
        if (durationMilliseconds >= minimum || sample is null)
        {
            return null;
        }

        var length = given ? $"{N(durationMilliseconds)} ms" : $"the default {N(durationMilliseconds)} ms";
        var tick = windowsTickMicroseconds is { } t ? $" on a {(t / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)} ms Windows clock tick" : string.Empty;
        return $"{length} is too short for {sample}, which needs at least {N(minimum)} ms{tick} ({Needs[sample].Why}): run longer, or leave {sample} out with --sample.";
    }

    /// <summary>
    /// How long a run must be for the never-ready port (0-based <paramref name="port"/> of <paramref name="portsPerAdapter"/>)
    /// to reach its 60 s give-up (<see cref="MiniportTimers.Samples.Storahci.StorahciRun.RunToSeeGiveUpMilliseconds"/>),
    /// with each poll stretched to the Windows clock tick when one is given.
    /// </summary>
    public static long NeverReadyGiveUpMilliseconds(int port, int portsPerAdapter, long? windowsTickMicroseconds)
    {
        // A 10 ms poll on a tick of T waits about ceil(10 ms / T) + 1 ticks.
        var stretch = windowsTickMicroseconds is { } t && t > 0 ? Math.Max(1.0, (Math.Ceiling(10_000.0 / t) + 1) * t / 10_000.0) : 1.0;
        return MiniportTimers.Samples.Storahci.StorahciRun.RunToSeeGiveUpMilliseconds(port, portsPerAdapter, stretch);
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
