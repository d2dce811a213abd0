using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Bench;

/// <summary>The smallest timer: an <see cref="EngineTimer"/> subclass that does nothing when it fires (64 bytes).</summary>
internal sealed class NopTimer(TimerEngine engine) : EngineTimer(engine)
{
    protected override void OnFired(in TimerFiring firing)
    {
    }
}
