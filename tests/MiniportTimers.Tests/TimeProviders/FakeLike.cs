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

    public static TheoryData<string> Both() => new() { "Fake", "Virtual" };

    public static FakeLike Create(string name, DateTimeOffset? start = null)
    {
        var at = start ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        if (name == "Fake")
        {
            var f = new FakeTimeProvider(at);
            return new FakeLike(name, f, f.Advance, f.SetUtcNow, f.AdjustTime, d => f.AutoAdvanceAmount = d);
        }

        var v = new VirtualTimeProvider(at);
        return new FakeLike(name, v, v.Advance, v.SetUtcNow, v.AdjustTime, d => v.AutoAdvanceAmount = d);
    }
}
