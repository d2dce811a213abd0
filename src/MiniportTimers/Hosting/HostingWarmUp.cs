using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Hosting.Timers;
using MiniportTimers.Hosting.Watchdog;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Hosting;

/// <summary>
/// Compiles the hosting layer's expiry path when the first real-clock host of a process is created, not on its first
/// expiry (a virtual clock has no lateness to lose, so virtual hosts skip it). In a
/// fresh process the first hosted expiry paid 25 ms on the dispatcher (bench --only first): the JIT of the routine
/// runner, the IRQL context, the DPC watchdog, the callback watch, the activity counters, and the first use of the
/// telemetry Meter, the EventSource and the lateness histogram, during which every other timer of that dispatcher
/// waited. Here each non-generic method of those types is compiled (RuntimeHelpers.PrepareMethod, virtual ones after
/// their function pointer is asked for: without it PrepareMethod left virtual methods uncompiled in the tool's runs) and their type
/// initializers run, once per process, on the thread that creates the host. Generic methods compile on first use still
/// (their instantiations are the callers'), except the routine runners' at the expiry's state. In one measurement the
/// first expiry of a fresh process went from 25-32 ms late to 6-11 ms (bench --only first); the rest is the first call
/// of the miniport's own callback and the per-thread set-up of the DPC watchdog. Costs about 40 ms, once. Off with the AppContext switch <c>MiniportTimers.Engine.DisableWarmUp</c>,
/// like the engine's (DispatchWarmUp).
/// </summary>
internal static class HostingWarmUp
{
    private static int s_done;

    /// <summary>The types every hosted expiry passes through, every timer kind (the subclasses of HostedTimer, KTIMER, the DPC owners), and their lambdas.</summary>
    [RequiresUnreferencedCode("Reflects over the hosting types; runs only with a JIT (see EnsureWarm).")]
    private static IEnumerable<Type> FirePath()
    {
        Type[] core =
        [
            typeof(TimerCore), typeof(HostedTimer), typeof(HostedAdapter), typeof(MiniportHost), typeof(RoutineRunner), typeof(KernelContext),
            typeof(DpcWatchdog), typeof(CallbackWatch), typeof(StuckCallbackWatchdog), typeof(SystemStolenTime), typeof(OwnSchedulerStats), typeof(LockWaitCounters), typeof(TimerActivity),
            typeof(LatenessRecorder), typeof(MiniportTimersTelemetry), typeof(MiniportTimersEventSource),
            typeof(WatchdogStamp), typeof(SchedulerStats), typeof(KernelHostOptions), // the real clock's watchdog stamp, read on every expiry
        ];
        // Every timer kind: the hosted ones, the KTIMER (with its core) and the owners of the KDPCs NDIS's timers are made of.
        var timers = typeof(HostedTimer).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(HostedTimer)) || t.IsAssignableTo(typeof(IDpcOwner)) || t == typeof(KTIMER));
        var types = core.Concat(timers).ToList();
        return types.Concat(types.SelectMany(t => t.GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public))); // lambdas' closure classes
    }

    /// <summary>Runs once per process (later calls return at once); thread-safe. Nothing to do without a JIT (NativeAOT).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Runs only where code is compiled at run time (IsDynamicCodeSupported); a trimmed-away member only means it is not compiled early, and any failure is caught.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by RuntimeFeature.IsDynamicCodeSupported: under NativeAOT there is no JIT to warm.")]
    public static void EnsureWarm()
    {
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            return; // NativeAOT: everything is compiled already
        }

        if (Volatile.Read(ref s_done) != 0 || Interlocked.Exchange(ref s_done, 1) != 0)
        {
            return;
        }

        if (DispatchWarmUp.IsDisabled)
        {
            return;
        }

        try
        {
            Compile();
        }
#pragma warning disable CA1031 // an optimisation only: whatever it fails on (a trimmed or missing dependency) compiles on first use instead
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    [RequiresUnreferencedCode("Reflects over the hosting types to compile their methods.")]
    [RequiresDynamicCode("Constructs the runners' generic instantiations.")]
    private static void Compile()
    {
        const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var type in FirePath())
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }

            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters && method.GetMethodBody() is not null)
                {
                    // A virtual method (an override, an interface's implementation: ICallbackWatch.Begin, IDpcOwner's)
                    // may have no entry point of its own until something asks for one, and PrepareMethod then compiled
                    // nothing in the tool's runs. Asking for its function pointer first creates the entry point, and
                    // PrepareMethod compiles it (HostingWarmUpTests). Before (issue 27, session nine, seen in the JIT
                    // log), CallbackWatch.Begin and End were left to the first real-clock call on the dispatcher.
                    _ = method.MethodHandle.GetFunctionPointer();
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }
        }

        // The generic runners, at the state an expiry passes them (one instantiation serves every hosted timer: the
        // timer is a reference type, shared), and the closure class of the runner's lambda at that state.
        var expiryState = typeof(ValueTuple<TimerCore, TimerFiring>);
        foreach (var (type, name) in new[] { (typeof(RoutineRunner), nameof(RoutineRunner.Run)), (typeof(KernelContext), nameof(KernelContext.Run)), (typeof(DpcWatchdog), nameof(DpcWatchdog.RunWatched)) })
        {
            foreach (var generic in type.GetMethods(All).Where(m => m.Name == name && m.IsGenericMethodDefinition && m.GetGenericArguments().Length == 1))
            {
                RuntimeHelpers.PrepareMethod(generic.MethodHandle, [expiryState.TypeHandle]);
            }

            foreach (var closure in type.GetNestedTypes(BindingFlags.NonPublic).Where(t => t.IsGenericTypeDefinition && t.GetGenericArguments().Length == 1))
            {
                var constructed = closure.MakeGenericType(expiryState);
                foreach (var method in constructed.GetMethods(All).Cast<MethodBase>().Concat(constructed.GetConstructors(All)))
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle, [expiryState.TypeHandle]);
                }
            }
        }

        // The lateness histogram's own code (HdrHistogram), on a recorder nobody reads.
        new LatenessRecorder().Record(1_000);
    }
}
