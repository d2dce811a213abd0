namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// The layout of a <see cref="TimerCore"/>'s state word: one <see cref="long"/> that every transition of a request
/// changes with a single compare-exchange (or, by the writer that owns it, a release store), so that a request, a
/// cancel, a free, an expiry's commit and a callback's return order against each other without a lock (issue 27; the
/// interleavings are drawn on <see cref="TimerCore"/>).
/// </summary>
/// <remarks>
/// <code>
///   bit 0        Pending   a request is recorded and its callback has not committed (BUSY); DropAfterCancel kinds only
///   bit 1        Owned     a writer (a request, a cancel, a free, a deferred application) holds the request's fields;
///                          while it is set nobody else changes the word (a commit and a callback's return wait), so the
///                          owner lets go with a plain release store
///   bit 2        Freed     the timer is freed: no expiry commits from now on
///   bits 3-18    Running   callbacks that committed and have not returned (at most 65,535)
///   bits 19-63   Version   raised by every claim of Owned, so a commit's compare-exchange fails if any writer came
///                          between its read of the fields and its exchange (no ABA: it wraps after 2^45 claims)
/// </code>
/// </remarks>
internal static class TimerState
{
    /// <summary>A request is pending: from its claim until its callback commits, or a cancel or free clears it.</summary>
    public const long Pending = 1;

    /// <summary>A writer holds the timer's fields (at most one at a time); a commit, a cancel and a return wait for it.</summary>
    public const long Owned = 2;

    /// <summary>Freed: set once by a free (a KTIMER's re-initialization clears it); an expiry that sees it is dropped.</summary>
    public const long Freed = 4;

    /// <summary>One running callback.</summary>
    public const long RunningOne = 1L << RunningShift;

    /// <summary>One claim of <see cref="Owned"/>.</summary>
    public const long VersionOne = 1L << 19;

    private const int RunningShift = 3;
    private const long RunningMask = 0xFFFFL << RunningShift;

    /// <summary>The number of committed callbacks that have not returned, in <paramref name="state"/>.</summary>
    public static int Running(long state) => (int)((state & RunningMask) >> RunningShift);
}
