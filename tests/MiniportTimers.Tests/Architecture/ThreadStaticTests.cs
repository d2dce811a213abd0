using System.Reflection;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Native;

namespace MiniportTimers.Tests.Architecture;

/// <summary>
/// Issue 26 §1: per-thread state lives in one frame (<see cref="ThreadFrame"/>). The only [ThreadStatic] fields of the
/// library's assemblies are the frame itself and one measured hot-path cache (the engine's per-thread cache: its counter stripe and its dispatcher-routing turn), as
/// docs/architecture.md "Per-thread state" lists them. A new one fails here: give it a slot in the frame instead.
/// </summary>
public class ThreadStaticTests
{
    /// <summary>The documented list: "Type.field".</summary>
    private static readonly string[] Allowed =
    [
        "MiniportTimers.Kernel.ThreadFrame.t_current",
        "MiniportTimers.Engine.EngineThreadCache.t_state",
    ];

    private static readonly Assembly[] LibraryAssemblies =
    [
        typeof(TimerEngine).Assembly,
        typeof(NativeDriver).Assembly,
        typeof(MiniportTimers.Cli.Shell.CliApp).Assembly,
    ];

    [Fact]
    public void OnlyTheFrameAndTheStripeAreThreadStatic()
    {
        var found = LibraryAssemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => f.IsDefined(typeof(ThreadStaticAttribute), inherit: false))
                .Select(f => $"{t.FullName}.{f.Name}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(Allowed.Order(StringComparer.Ordinal), found);
        Assert.True(Allowed.Length <= 2, "the documented list holds two at most: the frame and one measured cache");
    }

    [Fact]
    public void EachThreadHasItsOwnFrame()
    {
        // The frame is reached through its one thread-static; a second thread gets its own frame.
        var here = ThreadFrame.Current;
        ThreadFrame? there = null;
        var thread = new Thread(() => there = ThreadFrame.Current);
        thread.Start();
        thread.Join();
        Assert.Same(here, ThreadFrame.Current);
        Assert.NotNull(there);
        Assert.NotSame(here, there);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, there!.Irql);
        Assert.Empty(there.HeldLocks);
        Assert.Null(there.Routine);
    }
}
