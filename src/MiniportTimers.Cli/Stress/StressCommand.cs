using System.CommandLine;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Samples.Harness;

namespace MiniportTimers.Cli.Stress;

/// <summary>
/// <c>stress</c>: the real-clock stress run (8 threads, 1,000,000 operations by default; not part of CI's default set):
/// no lost, duplicate or early callback, no callback after a successful free, memory flat afterwards. Exit code 1
/// (<see cref="ExitCodes.RunFailed"/>) on any violation.
/// </summary>
internal static class StressCommand
{
    public static Command Create()
    {
        var threads = new Option<int>("--threads") { Description = "Threads requesting, cancelling and freeing timers.", DefaultValueFactory = _ => 8 };
        var operations = new Option<long>("--operations") { Description = "DDI calls in all.", DefaultValueFactory = _ => 1_000_000 };
        var gcEvery = new Option<int>("--gc-every-ms") { Description = "Inject a forced blocking full GC this often during the run, ms (0 = none).", DefaultValueFactory = _ => 0 };
        threads.Between(1, 1024);
        operations.AtLeast(1);
        gcEvery.AtLeast(0);
        var command = new Command("stress", "Stress the Storport timer DDIs on the real clock from many threads and check every callback.") { threads, operations, gcEvery };
        command.SetAction(parse => Execute(parse.GetValue(threads), parse.GetValue(operations), parse.InvocationConfiguration.Output, parse.GetValue(gcEvery)));
        return command;
    }

    public static int Execute(int threads, long operations, TextWriter output, int gcEveryMilliseconds = 0)
    {
        var r = StressRun.Execute(threads, operations, forcedGcIntervalMilliseconds: gcEveryMilliseconds);
        var growth = r.MemoryAfterBytes - r.MemoryBeforeBytes;
        var res = r.Resources;
        output.WriteLine($"stress: {r.Operations:N0} operations on {threads} threads in {r.Seconds:F1} s, {r.Callbacks:N0} callbacks, {res.GcsInjected} forced GCs injected");
        output.WriteLine($"memory: {r.MemoryBeforeBytes / 1024.0:N0} KiB before, {r.MemoryAfterBytes / 1024.0:N0} KiB after ({growth / 1024.0:+#,0;-#,0;0} KiB)");
        output.WriteLine($"stress threads: {res.ThreadsBefore} before, {res.ThreadsAfter} after; open fds: {res.FileDescriptorsBefore} before, {res.FileDescriptorsAfter} after");
        output.WriteLine($"violations: {r.Violations.Count}");
        foreach (var v in r.Violations.Take(20))
        {
            output.WriteLine($"  {v}");
        }

        var flat = growth < 4 * 1024 * 1024; // a few MiB of JIT and pool noise at most
        if (!flat)
        {
            output.WriteLine("memory did not come back down");
        }

        if (!res.Flat)
        {
            output.WriteLine("threads or open file descriptors grew");
        }

        return r.Violations.Count == 0 && flat && res.Flat ? ExitCodes.Success : ExitCodes.RunFailed;
    }
}
