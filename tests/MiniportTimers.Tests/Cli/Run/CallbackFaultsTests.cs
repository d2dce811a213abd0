using MiniportTimers.Cli.Run;
using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Cli.Run;

/// <summary>
/// A run's engine callback that throws outside any miniport routine is described in the report (its exception, message
/// and the method of ours that threw), where before the report only counted "N engine callbacks threw". Virtual clock.
/// </summary>
public class CallbackFaultsTests
{
    [Fact]
    public void AThrowingCallback_IsDescribedByTypeMessageAndOurMethod_AndAtMostFiveAreKept()
    {
        using var engine = new VirtualTimerEngine();
        var faults = new CallbackFaults();
        engine.CallbackFaulted += faults.Record;
        var items = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            engine.Arm(engine.CreateTimer(static (_, in _) => ReadPastTheEnd(), items), 1_000);
        }

        for (var advance = 0; advance < 10; advance++)
        {
            try
            {
                engine.AdvanceBy(2_000);
            }
            catch (ArgumentOutOfRangeException)
            {
                // an engine that surfaces a callback's exception to the caller of its advance (after the handlers ran)
            }
        }

        Assert.Equal(7, engine.Statistics.CallbackFaults);
        var described = faults.Descriptions;
        Assert.Equal(CallbackFaults.MaximumDescribed, described.Count);
        Assert.All(described, line =>
        {
            Assert.StartsWith("an engine callback threw ArgumentOutOfRangeException: ", line, StringComparison.Ordinal);
            Assert.EndsWith($"(in {nameof(CallbackFaultsTests)}.{nameof(ReadPastTheEnd)})", line, StringComparison.Ordinal);
        });
    }

    private static int ReadPastTheEnd() => new List<int>()[1];
}
