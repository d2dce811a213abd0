using MiniportTimers.Cli.Run;

namespace MiniportTimers.Tests.Cli.Run;

public sealed class UntieredRunTests
{
    private static string? NoVariables(string name) => null;

    [Fact]
    public void ARealClockRun_IsPlannedAsTheToolAgain_WithTheSameArguments_AndTieringOff()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Null(UntieredRun.Plan(["run"], NoVariables, @"C:\tools\miniport-timers.exe", null)); // measured in the process on Windows
            return;
        }

        var start = UntieredRun.Plan(["run", "--sample", "nvme", "--seed", "3", "--driver-adapters", "2"], NoVariables, "/opt/mt/miniport-timers", "/opt/mt/miniport-timers.dll");
        Assert.NotNull(start);
        Assert.Equal("/opt/mt/miniport-timers", start.FileName);
        Assert.Equal(["run", "--sample", "nvme", "--seed", "3", "--driver-adapters", "2"], start.ArgumentList);
        Assert.Equal("0", start.Environment[UntieredRun.TieredCompilationVariable]);
        Assert.Equal(RunCollections.ChildGen0SizeHex, start.Environment[UntieredRun.Gen0SizeVariable]);
        Assert.False(start.UseShellExecute);
    }

    [Fact]
    public void AGen0BudgetTheUserSet_IsLeftToTheChild()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // The child inherits this process's environment; the plan adds the budget only where the user gave none.
        var start = UntieredRun.Plan(["run"], name => name == UntieredRun.Gen0SizeVariable ? "0x1000000" : null, "/opt/mt/miniport-timers", null);
        Assert.NotNull(start);
        Assert.NotEqual(RunCollections.ChildGen0SizeHex, start.Environment.TryGetValue(UntieredRun.Gen0SizeVariable, out var value) ? value : null);
    }

    [Fact]
    public void UnderTheDotnetHost_TheChildIsGivenTheToolsAssembly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var start = UntieredRun.Plan(["run"], NoVariables, "/usr/share/dotnet/dotnet", "/opt/mt/miniport-timers.dll");
        Assert.NotNull(start);
        Assert.Equal(["/opt/mt/miniport-timers.dll", "run"], start.ArgumentList);
        Assert.Null(UntieredRun.Plan(["run"], NoVariables, "/usr/share/dotnet/dotnet", null)); // cannot name the tool: measured here
    }

    [Theory]
    [InlineData("run", "--virtual")]
    [InlineData("run", "--virtual=true")]
    [InlineData("run", "--help")]
    [InlineData("run", "-h")]
    [InlineData("run", "--driver", "my.so")]
    [InlineData("run", "--driver=my.so:storport")]
    [InlineData("bench", "--only", "ddi")]
    [InlineData("stress")]
    public void OtherCommands_TheVirtualClockAndHelp_RunInThisProcess(params string[] args) =>
        Assert.Null(UntieredRun.Plan(args, NoVariables, "/opt/mt/miniport-timers", null));

    [Theory]
    [InlineData("DOTNET_TieredCompilation", "0")] // the child itself: never restarted again
    [InlineData("DOTNET_TieredCompilation", "1")] // the user's own choice is kept
    [InlineData("MINIPORT_TIMERS_TIERED", "1")]   // the opt-out
    public void AChildOrAnExplicitChoice_RunsInThisProcess(string variable, string value) =>
        Assert.Null(UntieredRun.Plan(["run"], name => name == variable ? value : null, "/opt/mt/miniport-timers", null));

    [Fact]
    public void NoArguments_OrNoProcessPath_RunInThisProcess()
    {
        Assert.Null(UntieredRun.Plan([], NoVariables, "/opt/mt/miniport-timers", null));
        Assert.Null(UntieredRun.Plan(["run"], NoVariables, null, null));
    }
}
