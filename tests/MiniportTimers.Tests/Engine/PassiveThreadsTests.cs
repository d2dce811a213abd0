using System.Globalization;
using MiniportTimers.Engine;
using MiniportTimers.Tests.Support;

namespace MiniportTimers.Tests.Engine;

public sealed class PassiveThreadsTests
{
    /// <summary>The nice value of the calling thread, from /proc/thread-self/stat (field 19, after the command's parentheses).</summary>
    private static int OwnNiceValue()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], CultureInfo.InvariantCulture); // field 19 of the line is the 17th after the command
    }

    [LinuxFact]
    public void LowerCurrentThread_SetsThatThreadsNiceValue_AndNoOtherThreads()
    {
        var before = OwnNiceValue();
        int? lowered = null;
        var took = false;
        var thread = new Thread(() =>
        {
            took = PassiveThreads.LowerCurrentThread();
            lowered = OwnNiceValue();
        });
        thread.Start();
        thread.Join();

        Assert.True(took);
        Assert.Equal(Math.Max(before, PassiveThreads.LinuxNiceValue), lowered);
        Assert.Equal(before, OwnNiceValue()); // the calling thread only: the test's own thread is as it was
    }
}
