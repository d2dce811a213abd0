using Microsoft.Extensions.Time.Testing;
using MiniportTimers.TimeProviders;

namespace MiniportTimers.Tests.TimeProviders;

/// <summary>
/// FakeTimeProvider or VirtualTimeProvider behind one face (they share member names, not an interface), so a drop-in
/// test runs the same steps on both and asserts the same outcome.
/// </summary>
public sealed class FakeLike
{
    private FakeLike(string name, TimeProvider provider, Action<TimeSpan> advance, Action<DateTimeOffset> setUtcNow, Action<DateTimeOffset> adjustTime, Action<TimeSpan> setAutoAdvance)
    {
        Name = name;
        Provider = provider;
        Advance = advance;
        SetUtcNow = setUtcNow;
        AdjustTime = adjustTime;
        SetAutoAdvance = setAutoAdvance;
    }

    public string Name { get; }

    public TimeProvider Provider { get; }

    public Action<TimeSpan> Advance { get; }

    public Action<DateTimeOffset> SetUtcNow { get; }

    public Action<DateTimeOffset> AdjustTime { get; }

    public Action<TimeSpan> SetAutoAdvance { get; }

    /// <summary>How far before <see cref="DateTimeOffset.MaxValue"/> the "near max" cases run: the tests that use them
    /// move the clock by a few seconds at most.</summary>
    public static readonly TimeSpan NearMaxRoom = TimeSpan.FromSeconds(10);

    /// <summary>True for FakeTimeProvider (either start).</summary>
    public bool IsFake => Name.StartsWith("Fake", StringComparison.Ordinal);

    public static TheoryData<string> Both() => new() { "Fake", "Virtual" };

    /// <summary>
    /// Both, at 2000-01-01 and near the end of time: the "near max" cases start at 2000-01-01 and are moved with
    /// SetUtcNow to <see cref="DateTimeOffset.MaxValue"/> minus <see cref="NearMaxRoom"/> before the test's steps
    /// (a resilience library's tests check their overflow clamp there; VirtualTimeProvider's clock ended in 2073).
    /// </summary>
    public static TheoryData<string> BothAlsoNearMax() => new() { "Fake", "Virtual", "Fake near max", "Virtual near max" };

    public static FakeLike Create(string name, DateTimeOffset? start = null)
    {
        var at = start ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        FakeLike p;
        if (name.StartsWith("Fake", StringComparison.Ordinal))
        {
            var f = new FakeTimeProvider(at);
            p = new FakeLike(name, f, f.Advance, f.SetUtcNow, f.AdjustTime, d => f.AutoAdvanceAmount = d);
        }
        else
        {
            var v = new VirtualTimeProvider(at);
            p = new FakeLike(name, v, v.Advance, v.SetUtcNow, v.AdjustTime, d => v.AutoAdvanceAmount = d);
        }

        if (name.EndsWith("near max", StringComparison.Ordinal))
        {
            p.SetUtcNow(DateTimeOffset.MaxValue - NearMaxRoom);
        }

        return p;
    }
}
