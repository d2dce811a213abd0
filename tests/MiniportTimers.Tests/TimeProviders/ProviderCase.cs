using MiniportTimers.Engine;
using MiniportTimers.TimeProviders;

namespace MiniportTimers.Tests.TimeProviders;

/// <summary>
/// One TimeProvider under test and how to make time pass for it: the virtual one is advanced, the real ones are waited
/// on (with generous bounds; the machines are shared and noisy).
/// </summary>
public sealed class ProviderCase : IDisposable
{
    private ProviderCase(string name, TimeProvider provider)
    {
        Name = name;
        Provider = provider;
    }

    public string Name { get; }

    public TimeProvider Provider { get; }

    public bool IsVirtual => Provider is VirtualTimeProvider;

    public static IEnumerable<string> Names => ["System", "Engine", "EngineInline", "Virtual"];

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var n in Names)
        {
            data.Add(n);
        }

        return data;
    }

    public static ProviderCase Create(string name) => name switch
    {
        "System" => new ProviderCase(name, TimeProvider.System),
        "Engine" => new ProviderCase(name, new EngineTimeProvider()),
        "EngineInline" => new ProviderCase(name, new EngineTimeProvider(new RealTimeTimerEngine(), ownsEngine: true, runCallbacksOnDispatchThread: true)),
        "Virtual" => new ProviderCase(name, new VirtualTimeProvider()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Lets <paramref name="time"/> pass.</summary>
    public void Pass(TimeSpan time)
    {
        if (Provider is VirtualTimeProvider v)
        {
            v.Advance(time);
        }
        else
        {
            Thread.Sleep(time);
        }
    }

    /// <summary>Lets time pass until <paramref name="condition"/> holds or <paramref name="limit"/> has passed; returns the condition.</summary>
    public bool Until(Func<bool> condition, TimeSpan? limit = null)
    {
        var max = limit ?? TimeSpan.FromSeconds(10);
        var step = IsVirtual ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromMilliseconds(5);
        for (var waited = TimeSpan.Zero; waited <= max; waited += step)
        {
            if (condition())
            {
                return true;
            }

            Pass(step);
        }

        return condition();
    }

    public void Dispose() => (Provider as IDisposable)?.Dispose();

    public override string ToString() => Name;
}
