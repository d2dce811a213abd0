namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// The layout of a <see cref="TimerCore"/>'s state word: one <see cref="long"/> that every transition of a request
/// changes with a single interlocked operation, so that a request, a cancel and an expiry's commit order against each
/// other without a lock (issue 27; the interleavings are drawn on <see cref="TimerCore"/>).
/// </summary>
/// <remarks>
/// <code>
///   bit 0        Pending   a request is recorded and its callback has not committed (BUSY); DropAfterCancel kinds only
///   bit 1        Owned     a writer (a request, a free, a deferred application) is changing the request's fields
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

    /// <summary>A writer holds the timer's fields (at most one at a time); a commit waits for it to let go.</summary>
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
