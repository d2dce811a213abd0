using System.Diagnostics;
using System.Runtime.CompilerServices;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Kernel;

/// <summary>
/// Everything the library keeps per thread, in one place: Windows keeps it in the KPRCB and the KTHREAD (the IRQL, the
/// spin locks held, the DPC watchdog's start, the thread's owner and its exception state). Each emulated "processor" is
/// a thread; a new thread starts at PASSIVE_LEVEL holding nothing, running no routine.
/// </summary>
/// <remarks>
/// <para>
/// <b>Design.</b> One object per thread, made on the thread's first use and reached through the one thread-static
/// reference, <see cref="Current"/>: a reader pays one thread-static lookup and then plain field reads, and a routine
/// bracket (<c>RoutineRunner</c>, the native trampolines) fetches the frame once and reads and writes every slot through
/// it. Nothing else in the library is thread-static but the engine's counter stripe (<c>StripedCounter</c>), a measured
/// hot-path cache below this layer (docs/architecture.md "Per-thread state"; <c>ThreadStaticTests</c> enforces the list).
/// </para>
/// <para>
/// <b>Layers.</b> The frame lives in the kernel layer, the lowest that keeps per-thread state. Its slots for the layers
/// above are typed by kernel-level roles those layers implement (<see cref="IFrameRoutine"/>, <see cref="IFrameAdapter"/>,
/// <see cref="IFrameDriver"/>), so no arrow points up; each layer reads its own slot back through its own view
/// (<c>CurrentRoutine</c> in Hosting, <c>DdiGuard</c> in Native), which knows the one type it stored there.
/// </para>
/// <para>
/// <b>Nesting.</b> Routines nest on one thread (a timer callback inside a virtual engine's Advance inside a test, a C
/// routine calling a DDI that runs another routine): every bracket saves the slots it sets and restores them on the way
/// out, whatever the code did.
/// </para>
/// <para>
/// <b>Thread safety.</b> Every slot is written only by its own thread. <see cref="LockWaits"/> is also read by the
/// stuck-callback watchdog's thread (its members say how); no other slot is read from another thread.
/// </para>
/// </remarks>
internal sealed class ThreadFrame
{
    [ThreadStatic]
    private static ThreadFrame? t_current;

    private ThreadFrame()
    {
    }

    /// <summary>The calling thread's frame (made on first use).</summary>
    public static ThreadFrame Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? Create();
    }

    // ---- Kernel: IRQL and spin locks (KPRCB.CurrentIrql, the thread's lock queue) ----

    /// <summary>The thread's current IRQL. Written through <see cref="SetIrql"/> so that deferred work runs when it drops.</summary>
    public KIRQL Irql;

    /// <summary>Work recorded above DISPATCH_LEVEL that waits for the IRQL to drop (FIFO; null until first needed).</summary>
    public Queue<Action>? DeferredAboveDispatch;

    /// <summary>The spin locks the thread holds, in acquisition order (invariant: released in reverse, or given back by <see cref="KernelContext"/>).</summary>
    public readonly List<KSpinLock> HeldLocks = [];

    /// <summary>The thread's time spent waiting for spin locks another thread held, ns, in all (KSpinLock's contended
    /// path; the uncontended take adds nothing). Written by its own thread only; a callback's run reads it at its start and
    /// end (the run report's WaitedForSpinLock cause).</summary>
    public long SpinLockWaitNanoseconds;

    /// <summary>
    /// The timers whose callbacks the thread is running, outermost first (a callback may advance a virtual clock and so run
    /// another, or its own again): pushed when a callback commits, popped when it returns (<c>Timers.RunningCallbacks</c>).
    /// A free asks it whether it runs inside the callback it would wait for. Holds each timer core as its identity.
    /// </summary>
    public readonly List<object> RunningTimers = [];

    /// <summary>The kernel scope the thread's code runs in (null outside any host routine or <see cref="Ke.UseEngine"/>).</summary>
    public KernelScope? Scope;

    // ---- Hosting: the routine running and its adapter (set by RoutineRunner) ----

    /// <summary>The miniport routine the thread runs (null: none). Stored and read back as <c>HostedRoutine</c>.</summary>
    public IFrameRoutine? Routine;

    /// <summary>The adapter whose routine the thread runs (null: none, or a driver-level routine). Stored and read back as <c>HostedAdapter</c>.</summary>
    public IFrameAdapter? Adapter;

    // ---- Watchdog: the running DPC's stamps ----

    /// <summary>Engine time at which the watched DPC-level callback running on this thread started, ns; null outside one.</summary>
    public long? DpcRunningSinceNanoseconds;

    /// <summary>The thread's waits for the library's own locks (read by the stuck-callback watchdog's thread too).</summary>
    public readonly LockWaitCounters LockWaits = new();

    /// <summary>The thread's own scheduler statistics reader (Linux schedstat; null until the DPC watchdog first needs it).</summary>
    public OwnSchedulerStats? Scheduler;

    // ---- Native: whose C code runs, and the fault a DDI recorded (set by the native trampolines) ----

    /// <summary>The native driver whose C code the thread runs, if any. Stored and read back as <c>NativeDriver</c>.</summary>
    public IFrameDriver? Driver;

    /// <summary>The bug check a DDI called from C code recorded before its shim unwound the C frames; taken by the trampoline.</summary>
    public BugCheckException? PendingFault;

    /// <summary>Sets the IRQL; when it drops to DISPATCH_LEVEL or below, runs the work deferred at a higher level.</summary>
    public void SetIrql(KIRQL irql)
    {
        Irql = irql;
        if (irql <= KIRQL.DISPATCH_LEVEL && DeferredAboveDispatch is { Count: > 0 } queue)
        {
            // Each deferred action is host code (an engine arm), not user code. FIFO keeps request order.
            while (queue.TryDequeue(out var action))
            {
                action();
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> now if the thread is at or below DISPATCH_LEVEL, otherwise when it drops there.</summary>
    public void RunAtOrBelowDispatch(Action action)
    {
        if (Irql <= KIRQL.DISPATCH_LEVEL)
        {
            action();
            return;
        }

        (DeferredAboveDispatch ??= new Queue<Action>()).Enqueue(action);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadFrame Create()
    {
        Debug.Assert(t_current is null, "one frame per thread");
        return t_current = new ThreadFrame();
    }
}
