using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;

namespace MiniportTimers.Tests.Hosting;

/// <summary>
/// Issue 27, session nine: the hosting warm-up (HostingWarmUp) compiles the fire path's virtual methods too.
/// RuntimeHelpers.PrepareMethod compiles nothing for a virtual method that has no entry point yet (an override, an
/// interface's implementation), so ICallbackWatch.Begin and End, the real clock's per-expiry bracket, were compiled on
/// the first real-clock callback, on the dispatcher. Asking for the method's function pointer first gives it one. The
/// runtime's own JIT events say which methods were compiled (JitInfo's counts include the test's own code).
/// </summary>
public sealed class HostingWarmUpTests
{
    /// <remarks>
    /// Only the positive half is asserted: whether PrepareMethod alone leaves a virtual method uncompiled depended on the
    /// run (a clean CI clone saw it compiled, after the other), so the before/after evidence is the tool's JIT log
    /// (`DOTNET_JitStdOutFile`: CallbackWatch.Begin compiled after the first real-clock callback before, inside the
    /// warm-up after; docs/benchmarks.md, "Session nine").
    /// </remarks>
    [Fact]
    public void PrepareMethod_AfterTheFunctionPointerIsAskedFor_CompilesAVirtualMethod()
    {
        using var listener = new JitListener();
        var withPointer = typeof(Probe).GetMethod(nameof(Probe.PreparedWithItsPointer))!;
        _ = withPointer.MethodHandle.GetFunctionPointer();
        RuntimeHelpers.PrepareMethod(withPointer.MethodHandle);

        Assert.True(listener.WaitFor(nameof(Probe.PreparedWithItsPointer), TimeSpan.FromSeconds(30)), "the JIT event of the method prepared with its pointer");
    }

    /// <summary>Records the names of the methods the runtime starts compiling (its JIT keyword, verbose).</summary>
    private sealed class JitListener : EventListener
    {
        public ConcurrentBag<string> Compiled { get; } = [];

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x10); // JitKeyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("MethodJittingStarted", StringComparison.Ordinal) == true
                && eventData.PayloadNames?.IndexOf("MethodName") is { } index and >= 0
                && eventData.Payload?[index] is string name)
            {
                Compiled.Add(name);
            }
        }

        public bool WaitFor(string method, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (!Compiled.Contains(method))
            {
                if (DateTime.UtcNow > until)
                {
                    return false;
                }

                Thread.Sleep(20);
            }

            return true;
        }
    }

    private class Probe
    {
        public virtual int PreparedWithItsPointer(int x) => (x * 5) + 2;
    }

    private sealed class Derived : Probe
    {
        public override int PreparedWithItsPointer(int x) => x;
    }
}
