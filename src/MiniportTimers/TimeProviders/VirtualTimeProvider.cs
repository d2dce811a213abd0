using MiniportTimers.Engine;

namespace MiniportTimers.TimeProviders;

/// <summary>
/// A <see cref="TimeProvider"/> on a virtual clock, a drop-in for FakeTimeProvider
/// (Microsoft.Extensions.TimeProvider.Testing): <see cref="Advance"/>, <see cref="SetUtcNow"/>, <see cref="AdjustTime"/>,
/// <see cref="AutoAdvanceAmount"/>, <see cref="Start"/>, <see cref="SetLocalTimeZone"/>, timestamps in UTC ticks
/// (<see cref="TimestampFrequency"/> 10 000 000), a due time of zero run before CreateTimer or Change returns, and an
/// exception thrown by a callback surfacing from the Advance or SetUtcNow that ran it. Time moves only when told to;
/// timers that come due fire synchronously, in due order, on the thread that moves the clock. Task.Delay,
/// CancellationTokenSource timeouts and PeriodicTimer given this provider complete deterministically.
/// </summary>
/// <remarks>
/// <para>Where it deliberately differs from FakeTimeProvider (docs/timeproviders.md has the table): a due time or period
/// below 1 ms is honoured (FakeTimeProvider counts it as 0, so 0.5 ms fires at once there; set
/// <see cref="TruncateTimersToMilliseconds"/> for its rule); a callback sees the clock at its own due time, not at the end of the advance; timers armed inside a callback
/// count from that callback's instant; timers due at the same instant fire in the order of the calls that armed them;
/// and the same clock can drive Storport and NDIS hosts (<see cref="VirtualEngine"/>).</para>
/// <para>Range: the wall clock reaches <see cref="DateTimeOffset.MaxValue"/>, as FakeTimeProvider's does
/// (<c>SetUtcNow(DateTimeOffset.MaxValue - TimeSpan.FromSeconds(5))</c> works, and so do timers after it). Due times
/// live on the engine's clock, whose range is <see cref="TimerEngine.MaxTimeNanoseconds"/> (about 73 years) from
/// <see cref="Start"/>. A move beyond that range finds every pending timer due within it: the engine moves to the
/// latest due time among them, no further, so it keeps its range for the timers armed afterwards; the rest goes into
/// the wall-clock offset that <see cref="AdjustTime"/> moves; then each pending timer fires once, in due order, with
/// the clock at the end of the move (as FakeTimeProvider's callbacks see it), a periodic one skipping its missed periods
/// (FakeTimeProvider replays each, which for centuries never ends). A due time beyond the engine's range is clamped to
/// its end (only an engine that has really run 73 years gets there).</para>
/// <para>Re-entry: no callback runs inside itself. When a callback moves the clock (Advance, SetUtcNow, an
/// auto-advancing read) over its own timer's next expiry, that expiry does not run inside it: a periodic timer's is
/// skipped (the timer goes on at its next period after the clock, keeping its phase), so a periodic callback that
/// advances by its own period runs once per outer advance, as on FakeTimeProvider; a one-shot re-armed inside its own
/// callback runs once the callback returns. Other timers' expiries do run inside the nested advance.</para>
/// <para>Lifetime: a timer collected without Dispose stops firing (as on FakeTimeProvider and System.Threading.Timer);
/// one whose callback or state references it stays alive.</para>
/// <para>Thread safety: every member is safe from any thread. A callback may move the clock itself (Advance,
/// SetUtcNow, or a read with <see cref="AutoAdvanceAmount"/> set), and another thread may move it while a callback
/// blocks: the engine lets go of its dispatcher role while a callback runs.</para>
/// </remarks>
public sealed class VirtualTimeProvider : EngineTimeProvider
{
    private TimeZoneInfo _localTimeZone = TimeZoneInfo.Utc;
    private TimeSpan _autoAdvanceAmount;

    /// <summary>How far the wall clock is from the timers' clock, 100 ns ticks: what <see cref="AdjustTime"/> moved it by,
    /// plus the part of moves beyond the engine's range (see "Range").</summary>
    private long _adjustmentTicks;

    /// <summary>A virtual clock starting at 2000-01-01 00:00:00 UTC (FakeTimeProvider's default).</summary>
    public VirtualTimeProvider()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>A virtual clock starting at <paramref name="startDateTime"/>.</summary>
    public VirtualTimeProvider(DateTimeOffset startDateTime)
        : base(new VirtualTimerEngine { RethrowCallbackExceptions = true }, ownsEngine: true)
    {
        Start = startDateTime;
    }

    /// <summary>The time the clock started at.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The virtual engine behind the provider (shared with hosts to run miniports on the same clock).</summary>
    public VirtualTimerEngine VirtualEngine => (VirtualTimerEngine)Engine;

    /// <summary>
    /// False (the default): a timer due time or period below 1 ms is honoured, to 100 ns. True: one below 1 ms counts as 0,
    /// as in FakeTimeProvider, so a 0.5 ms timer and <c>CancelAfter(1 tick)</c> fire at once (1 ms and more are kept as
    /// given in both); for a suite written against FakeTimeProvider that relies on that. Applies to later CreateTimer and
    /// Change calls.
    /// </summary>
    public bool TruncateTimersToMilliseconds { get; set; }

    /// <summary>How far the clock moves each time <see cref="GetUtcNow"/> reads it (default zero).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative value.</exception>
    public TimeSpan AutoAdvanceAmount
    {
        get => _autoAdvanceAmount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _autoAdvanceAmount = value;
        }
    }

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => _localTimeZone;

    /// <summary>True: a timer collected without Dispose stops firing, as FakeTimeProvider's does.</summary>
    private protected override bool TimersStopWhenCollected => true;

    /// <summary>10 000 000: timestamps are the UTC clock's 100 ns ticks, as FakeTimeProvider's are.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>The current UTC time in ticks (<see cref="GetUtcNow"/>'s, so a read moves the clock by
    /// <see cref="AutoAdvanceAmount"/> here too, and GetElapsedTime follows).</summary>
    public override long GetTimestamp() => GetUtcNow().Ticks;

    /// <summary>The current virtual time; then, if <see cref="AutoAdvanceAmount"/> is set, the clock moves by it.</summary>
    public override DateTimeOffset GetUtcNow()
    {
        var now = GetUtcNowWithoutAdvance();
        if (_autoAdvanceAmount > TimeSpan.Zero)
        {
            Advance(_autoAdvanceAmount);
        }

        return now;
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that comes due.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative, or moves the clock past
    /// <see cref="DateTimeOffset.MaxValue"/>.</exception>
    /// <remarks>An exception thrown by a callback ends the advance at that callback's due time and propagates from here
    /// (the timers still due fire at the next advance). Legal from inside a callback and from any thread; a callback's own
    /// timer does not fire inside it (see "Re-entry" in the remarks).</remarks>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        MoveBy(delta, nameof(delta));
    }

    /// <summary>
    /// Sets the wall clock to <paramref name="value"/>, backward or forward, without touching the timers: they fire after
    /// the same remaining time as before, as when a real system's clock is changed (FakeTimeProvider.AdjustTime).
    /// <see cref="GetUtcNow"/> and <see cref="GetTimestamp"/> follow the new time.
    /// </summary>
    public void AdjustTime(DateTimeOffset value)
    {
        var now = GetUtcNowWithoutAdvance();
        Interlocked.Add(ref _adjustmentTicks, (value - now).Ticks);
    }

    /// <summary>Moves the clock forward to <paramref name="value"/>, firing every timer that comes due.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is earlier than the current time (the clock never
    /// goes back; <see cref="AdjustTime"/> moves the wall clock either way).</exception>
    /// <remarks>Any time up to <see cref="DateTimeOffset.MaxValue"/> is accepted (see "Range" in the remarks).</remarks>
    public void SetUtcNow(DateTimeOffset value)
    {
        var now = GetUtcNowWithoutAdvance();
        if (value < now)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The virtual clock cannot go back (it is {now:O}).");
        }

        MoveBy(value - now, nameof(value));
    }

    /// <summary>Sets the time zone <see cref="TimeProvider.LocalTimeZone"/> reports (default UTC).</summary>
    public void SetLocalTimeZone(TimeZoneInfo localTimeZone)
    {
        ArgumentNullException.ThrowIfNull(localTimeZone);
        _localTimeZone = localTimeZone;
    }

    /// <inheritdoc />
    /// <remarks>"yyyy-MM-ddTHH:mm:ss.fff", as FakeTimeProvider writes it.</remarks>
    public override string ToString() => GetUtcNowWithoutAdvance().ToString("yyyy-MM-ddTHH:mm:ss.fff", global::System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Advance and SetUtcNow: moves the wall clock forward by <paramref name="delta"/>. The engine moves with it while it
    /// can (every pending timer keeps its remaining time); a move beyond the engine's range (TimerEngine.MaxTimeNanoseconds
    /// after <see cref="Start"/>) finds every pending timer due within it, so the engine moves only as far as the latest of
    /// them, the wall-clock offset (AdjustTime's) takes the rest, and each pending timer fires once, in due order, at the
    /// end of the move.
    /// </summary>
    private void MoveBy(TimeSpan delta, string paramName)
    {
        var now = GetUtcNowWithoutAdvance();
        if (delta > DateTimeOffset.MaxValue - now)
        {
            throw new ArgumentOutOfRangeException(paramName, delta, $"The clock would pass DateTimeOffset.MaxValue (it is {now:O}, and {delta} was asked for).");
        }

        var engine = VirtualEngine;
        var before = engine.NowNanoseconds;
        if (delta.Ticks <= (TimerEngine.MaxTimeNanoseconds - before) / TimeUnits.NanosecondsPer100ns)
        {
            engine.AdvanceBy(delta);
            return;
        }

        // Beyond the engine's range: every timer is due before the range ends, so all of them come due in this move. The
        // engine moves to the latest due time among them (no further: it keeps its range for the timers armed later), the
        // wall clock takes the rest, and then each fires once, in due order, with the clock at the end of the move (a
        // periodic timer's missed periods are skipped, as after any late wake-up: replaying centuries of them never ends).
        if (engine.LatestDueNanoseconds is { } latest && latest > before)
        {
            engine.Stall(latest - before);
        }

        var movedTicks = (engine.NowNanoseconds / TimeUnits.NanosecondsPer100ns) - (before / TimeUnits.NanosecondsPer100ns);
        Interlocked.Add(ref _adjustmentTicks, delta.Ticks - movedTicks);
        engine.AdvanceBy(0);
    }

    private DateTimeOffset GetUtcNowWithoutAdvance() =>
        Start + TimeSpan.FromTicks((Engine.NowNanoseconds / TimeUnits.NanosecondsPer100ns) + Volatile.Read(ref _adjustmentTicks));
}
