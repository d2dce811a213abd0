using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Hosting.Routines;

/// <summary>
/// The one way into miniport code, for both stacks: marks the routine and its adapter current in the thread's <see cref="ThreadFrame"/> (read through <see cref="CurrentRoutine"/>), enters the
/// adapter's kernel scope at the routine's IRQL (<see cref="KernelContext"/>: a fault becomes a bug check, leaked spin
/// locks are given back, the IRQL is restored), takes the port locks Windows documents for the routine (through the
/// adapter), runs DPC-level callbacks under both DPC watchdogs (<see cref="DpcWatchdog.RunWatched{TState}(string, KernelScope?, in TState, StateAction{TState})"/>: the return
/// check, and the stuck-callback watch on a real clock), and makes the kernel's IRQL check at the routine's return
/// (<see cref="ReturnIrqlCheck"/>: a DPC-level callback back at the IRQL it was called at, a work item below DISPATCH_LEVEL).
/// </summary>
/// <remarks>
/// No lock of ours is held around the body: only the port locks Windows documents as held around the routine. The body
/// and its state travel as a generic value tuple, passed down by reference (<see cref="StateAction{TState}"/>), and a static
/// lambda, so a call allocates nothing and copies the state once.
/// </remarks>
internal static class RoutineRunner
{
    /// <summary>Runs <paramref name="body"/> as <paramref name="routine"/> of <paramref name="adapter"/> (null: driver-level code of the host of <paramref name="scope"/>).</summary>
    /// <returns>The bug check the routine raised, or null. The caller reports it (the adapter stops).</returns>
    public static BugCheckException? Run<TState>(KernelScope scope, HostedAdapter? adapter, HostedRoutine routine, KIRQL irql, RoutineLocks locks, in TState state, StateAction<TState> body)
    {
        var frame = ThreadFrame.Current; // one thread-static lookup for the whole bracket
        var outerAdapter = frame.Adapter;
        var outerRoutine = frame.Routine;
        frame.Adapter = adapter;
        frame.Routine = routine;
        try
        {
            return KernelContext.Run(frame, scope, irql, (frame, scope, adapter, routine, locks, state, body), static (in s) =>
            {
                var ticket = s.adapter is { } a && s.locks != RoutineLocks.None ? a.AcquireRoutineLocks(s.frame, s.locks) : default;
                try
                {
                    var calledAt = s.frame.Irql; // with the port locks taken: a half-duplex HwStorTimer is called at the device IRQL
                    if (s.routine.IsDpcLevelCallback)
                    {
                        DpcWatchdog.RunWatched(s.frame, s.routine.Name, s.scope, in s.state, s.body);
                    }
                    else
                    {
                        s.body(in s.state);
                    }

                    ReturnIrqlCheck.AtReturn(s.routine.ReturnRule, s.routine.Name, calledAt, s.frame.Irql);
                }
                finally
                {
                    if (s.adapter is { } owner && s.locks != RoutineLocks.None)
                    {
                        owner.ReleaseRoutineLocks(s.frame, s.routine, s.locks, ticket);
                    }
                }
            });
        }
        finally
        {
            frame.Adapter = outerAdapter;
            frame.Routine = outerRoutine;
        }
    }
}
