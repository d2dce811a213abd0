using MiniportTimers.Engine;

namespace MiniportTimers.TimeProviders;

/// <summary>
/// A <see cref="TimeProvider"/> on a virtual clock, with the members users know from FakeTimeProvider:
/// <see cref="Advance"/>, <see cref="SetUtcNow"/>, <see cref="AutoAdvanceAmount"/>, <see cref="Start"/> and
/// <see cref="SetLocalTimeZone"/>. Time moves only when told to; timers that come due fire synchronously, in due order,
/// on the thread that moves the clock. Task.Delay, CancellationTokenSource timeouts and PeriodicTimer given this
/// provider complete deterministically.
/// </summary>
/// <remarks>
/// Thread safety: reading the clock and creating or changing timers are safe from any thread; moving the clock is
/// single-threaded (a timer callback may not move it: <see cref="InvalidOperationException"/>).
/// </remarks>
public sealed class VirtualTimeProvider : EngineTimeProvider
{
    private readonly object _gate = new();
    private TimeZoneInfo _localTimeZone = TimeZoneInfo.Utc;
    private TimeSpan _autoAdvanceAmount;

    /// <summary>A virtual clock starting at 2000-01-01 00:00:00 UTC (FakeTimeProvider's default).</summary>
    public VirtualTimeProvider()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>A virtual clock starting at <paramref name="startDateTime"/>.</summary>
    public VirtualTimeProvider(DateTimeOffset startDateTime)
        : base(new VirtualTimerEngine(), ownsEngine: true)
    {
        Start = startDateTime;
    }

    /// <summary>The time the clock started at.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The virtual engine behind the provider (shared with hosts to run miniports on the same clock).</summary>
    public VirtualTimerEngine VirtualEngine => (VirtualTimerEngine)Engine;

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
    /// <exception cref="InvalidOperationException">Called from a timer callback.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_gate)
        {
            VirtualEngine.AdvanceBy(delta);
        }
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
    public override string ToString() => GetUtcNowWithoutAdvance().ToString("O", global::System.Globalization.CultureInfo.InvariantCulture);

    private DateTimeOffset GetUtcNowWithoutAdvance() => Start + TimeSpan.FromTicks(Engine.NowNanoseconds / TimeUnits.NanosecondsPer100ns);
}
