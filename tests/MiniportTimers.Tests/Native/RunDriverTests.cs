using MiniportTimers.Cli.Run;

namespace MiniportTimers.Tests.Native;

/// <summary>Issue 12 §6: <c>run --driver PATH.so</c> hosts a native driver with the same report as the samples.</summary>
[Collection(NativeDriverCollection.Name)]
public class RunDriverTests
{
    [NativeFact]
    public void RunDriver_HostsANativeNdisDriver_InsteadOfTheSamples_AndReportsItsTimersByTheirCNames()
    {
        var output = new StringWriter();
        var settings = new RunSettings(Virtual: true, Adapters: 1, Ports: 1, Seed: 1, DurationMilliseconds: 3_000, NeverReadyPort: null, JsonPath: null, Drivers: [NativeBuild.Driver("ndis6_timers")]);
        Assert.Equal(0, RunCommand.Execute(settings, output));
        var text = output.ToString();
        Assert.Contains("== ndis6_timers ==", text, StringComparison.Ordinal);
        Assert.Contains("| NdisTimerObject | Heartbeat |", text, StringComparison.Ordinal);
        Assert.DoesNotContain("== storahci ==", text, StringComparison.Ordinal); // without --sample only the drivers run
    }

    [NativeFact]
    public void RunDriver_DetectsTheStack_OrTakesItNamed()
    {
        Assert.Equal(MiniportTimers.Native.NativeStack.Storport, MiniportTimers.Native.NativeDriver.DetectStack(NativeBuild.Driver("storport_timers")));
        Assert.Equal(MiniportTimers.Native.NativeStack.Ndis, MiniportTimers.Native.NativeDriver.DetectStack(NativeBuild.Driver("ndis5_timers")));
        var output = new StringWriter();
        var settings = new RunSettings(true, 1, 1, 1, 1_000, null, null, Samples: ["pcnet"], Drivers: [NativeBuild.Driver("ndis5_timers") + ":ndis"]);
        Assert.Equal(0, RunCommand.Execute(settings, output));
        Assert.Contains("== ndis5_timers ==", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("== pcnet ==", output.ToString(), StringComparison.Ordinal); // beside a sample
    }

    [Fact]
    public void RunDriver_AMissingFile_IsRejectedBeforeAnyWork_WithExitCode2()
    {
        var output = new StringWriter();
        var settings = new RunSettings(true, 1, 1, 1, 1_000, null, null, Drivers: ["/nonexistent/x.so"]);
        Assert.Equal(2, RunCommand.Execute(settings, output));
        Assert.Contains("--driver: '/nonexistent/x.so': no such file", output.ToString(), StringComparison.Ordinal);
    }
}
