namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// The layout of a <see cref="TimerCore"/>'s state word: one <see cref="long"/> that every transition of a request
/// changes with a single compare-exchange (or, by the writer that owns it, a release store), so that a request, a
/// cancel, a free and an expiry's commit order against each other without a lock (issue 27; the interleavings are
/// drawn on <see cref="TimerCore"/>).
/// </summary>
/// <remarks>
/// <code>
///   bit 0        Pending   a request is recorded and its callback has not committed (BUSY); DropAfterCancel kinds only
///   bit 1        Owned     a writer (a request, a free, a deferred application) holds the request's fields; while it is
///                          set nobody else changes the word, so the owner lets go with a plain release store
///   bit 2        Freed     the timer is freed: no expiry commits from now on
///   bits 3-63    Version   raised by every claim of Owned, so a commit's or a cancel's compare-exchange fails if any
///                          writer came between its read of the word and its exchange (no ABA: it wraps after 2^61
///                          claims)
/// </code>
/// </remarks>
internal static class TimerState
{
    /// <summary>A request is pending: from its claim until its callback commits, or a cancel or free clears it.</summary>
    public const long Pending = 1;

    /// <summary>A writer holds the timer's fields (at most one at a time); a commit or a cancel waits for it to let go.</summary>
    public const long Owned = 2;

    /// <summary>Freed: set once by a free (a KTIMER's re-initialization clears it); an expiry that sees it is dropped.</summary>
    public const long Freed = 4;

    /// <summary>One claim of <see cref="Owned"/>.</summary>
    public const long VersionOne = 8;
}
