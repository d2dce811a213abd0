using System.Runtime.InteropServices;
using MiniportTimers.Cli.Run;

namespace MiniportTimers.Tests.Cli.Run;

/// <summary>The process's page faults, read from /proc/self/stat for the run report (proc(5): fields 10 and 12).</summary>
public sealed class ProcessPageFaultsTests
{
    [Fact]
    public void AStatLine_GivesMinorAndMajorFaults_CountedFromTheLastParenthesis()
    {
        // The command name may hold spaces and parentheses: "(a) b (c)" is one field.
        const string Line = "4242 ((a) b (c)) S 1 4242 4242 0 -1 4194560 123456 0 7 0 55 12 0 0 20 0 9 0 100 1000 200";
        Assert.Equal(new ProcessPageFaults(123_456, 7), ProcessPageFaults.Parse(Line));
        Assert.Null(ProcessPageFaults.Parse("not a stat line"));
        Assert.Null(ProcessPageFaults.Parse("1 (x) S 1 2"));
        Assert.Null(ProcessPageFaults.Parse("1 (x) S 1 2 3 4 5 6 minflt 8 9 10"));
    }

    [Fact]
    public void TouchingFreshMemory_CountsMinorFaults()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(ProcessPageFaults.Read());
            return;
        }

        const int Bytes = 16 * 1024 * 1024; // malloc maps a block this large freshly: its pages fault at their first touch
        var before = ProcessPageFaults.Read();
        Assert.NotNull(before);
        var block = Marshal.AllocHGlobal(Bytes);
        try
        {
            for (var offset = 0; offset < Bytes; offset += 4096)
            {
                Marshal.WriteByte(block, offset, 1);
            }

            var after = ProcessPageFaults.Read();
            Assert.NotNull(after);
            Assert.True(after.Value.Minor > before.Value.Minor, $"minor faults {before.Value.Minor} -> {after.Value.Minor}");
            Assert.True(after.Value.Major >= before.Value.Major);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }
}
