using MiniportTimers.Engine;
using Xunit;

namespace MiniportTimers.Tests.Engine;

/// <summary>The engine names its longest callback for reports (issue 27): the method, a lambda by where it was written, a scheduled action by the action.</summary>
public sealed class CallbackNamesTests
{
    [Fact]
    public void TheLongestCallback_IsNamedByItsMethod_OrByTheActionInItsState()
    {
        using var engine = new VirtualTimerEngine();
        Assert.Null(engine.LongestCallbackName);

        // A scheduled action: one shared callback runs the Action in the state; the report names the action.
        Action slow = () => engine.Stall(5_000);
        var scheduled = engine.CreateTimer(static (t, in _) => ((Action)t.State!)(), slow);
        var quick = engine.CreateTimer(Quick);
        engine.Arm(scheduled, 10);
        engine.Arm(quick, 20);
        engine.AdvanceTo(100);
        Assert.Equal(5_000, engine.Statistics.LongestCallbackNanoseconds);
        Assert.Equal($"{nameof(CallbackNamesTests)} (a lambda in {nameof(TheLongestCallback_IsNamedByItsMethod_OrByTheActionInItsState)})", engine.LongestCallbackName);

        // A longer one by a named method takes over.
        var named = engine.CreateTimer(Slow, new object());
        engine.Arm(named, 200);
        engine.AdvanceTo(300);
        Assert.Equal(9_000, engine.Statistics.LongestCallbackNanoseconds);
        Assert.Equal($"{nameof(CallbackNamesTests)}.{nameof(Slow)}", engine.LongestCallbackName);

        // A shared lambda run for a state object says the state's type.
        var shared = engine.CreateTimer(static (t, in _) => ((VirtualTimerEngine)t.Engine).Stall(20_000), new Uri("http://example.invalid/"));
        engine.Arm(shared, 400);
        engine.AdvanceTo(500);
        Assert.Equal($"{nameof(CallbackNamesTests)} (a lambda in {nameof(TheLongestCallback_IsNamedByItsMethod_OrByTheActionInItsState)}), for a Uri", engine.LongestCallbackName);
    }

    private static void Quick(EngineTimer timer, in TimerFiring firing)
    {
    }

    private static void Slow(EngineTimer timer, in TimerFiring firing) => ((VirtualTimerEngine)timer.Engine).Stall(9_000);
}
