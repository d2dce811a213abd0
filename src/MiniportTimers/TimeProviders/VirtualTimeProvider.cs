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
/// <para>Thread safety: every member is safe from any thread. A callback may move the clock itself (Advance,
/// SetUtcNow, or a read with <see cref="AutoAdvanceAmount"/> set), and another thread may move it while a callback
/// blocks: the engine lets go of its dispatcher role while a callback runs.</para>
/// </remarks>
public sealed class VirtualTimeProvider : EngineTimeProvider
{
    private TimeZoneInfo _localTimeZone = TimeZoneInfo.Utc;
    private TimeSpan _autoAdvanceAmount;

    /// <summary>What <see cref="AdjustTime"/> moved the wall clock by, 100 ns ticks, against the timers' clock.</summary>
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative, or moves the clock past the end
    /// of its range: <see cref="Engine.TimerEngine.MaxTimeNanoseconds"/> (about 73 years) after <see cref="Start"/>.</exception>
    /// <remarks>An exception thrown by a callback ends the advance at that callback's due time and propagates from here
    /// (the timers still due fire at the next advance). Legal from inside a callback and from any thread.</remarks>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        VirtualEngine.AdvanceBy(delta);
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
    /// goes back), or later than the end of the clock's range, <see cref="Engine.TimerEngine.MaxTimeNanoseconds"/> (about
    /// 73 years) after <see cref="Start"/>.</exception>
    public void SetUtcNow(DateTimeOffset value)
    {
        var now = GetUtcNowWithoutAdvance();
        if (value < now)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The virtual clock cannot go back (it is {now:O}).");
        }

        var delta = value - now;
        if (delta.Ticks > (TimerEngine.MaxTimeNanoseconds - Engine.NowNanoseconds) / TimeUnits.NanosecondsPer100ns)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The virtual clock's range ends at {Start + TimeSpan.FromTicks(TimerEngine.MaxTimeNanoseconds / TimeUnits.NanosecondsPer100ns):O}.");
        }

        Advance(delta);
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

    private DateTimeOffset GetUtcNowWithoutAdvance() =>
        Start + TimeSpan.FromTicks((Engine.NowNanoseconds / TimeUnits.NanosecondsPer100ns) + Volatile.Read(ref _adjustmentTicks));
}
