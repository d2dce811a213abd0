using System.Collections.Concurrent;

namespace MiniportTimers.Diagnostics;

/// <summary>
/// Prefaults lateness recorders (<see cref="LatenessRecorder.Prefault()"/>) on a thread of its own, one page a
/// millisecond: for rows made on a dispatcher thread (<see cref="RecorderPrefault.InBackground"/>), whose timers must
/// not wait the 0.5 ms a recorder takes in one go. A recorder's 66 pages take about 70 ms; a sample that lands on a page
/// before its turn takes the fault as it did without the prefault. Thread-safe; the thread is started at the first
/// <see cref="Queue"/> and lives as long as the process (a background thread blocked on its queue when idle).
/// </summary>
/// <remarks>
/// Why paced, at the ordinary priority (issue 27, session twenty), each tried against the build before, alternated,
/// eight pairs of `run` on the 2-core VM:
/// <list type="bullet">
/// <item>A thread-pool thread prefaulting a recorder in one go (0.6-1.3 ms of page faults) when the row was made,
/// 90-110 ms into a run as the adapters start: it competed with the dispatcher for a CPU, the dispatcher's early
/// wake-ups waited 1-4.5 ms for one, and the target was met in 0 of 8 runs against 4 of 8.</item>
/// <item>A SCHED_IDLE thread: one run had the dispatcher wake 65 ms late with 0.2 ms of CPU wait while the OS floor's
/// worst was 3.4 ms. That fits a priority inversion: a page fault holds the memory map's locks, a starved idle-policy
/// thread can keep them for as long as it waits for a CPU, and every other fault and mapping change of the process
/// waits behind it.</item>
/// </list>
/// At one page a millisecond the thread asks for about 10 µs of CPU at a time (1 % of one), and it is never starved
/// inside a fault.
/// </remarks>
internal static class RecorderPrefaulter
{
    private static readonly BlockingCollection<LatenessRecorder> s_queue = new(new ConcurrentQueue<LatenessRecorder>());
    private static readonly object s_startGate = new();
    private static readonly ManualResetEventSlim s_never = new(initialState: false, spinCount: 0); // a timed wait of 1 ms, without a spin
    private static readonly Action s_pause = static () => s_never.Wait(1);
    private static Thread? s_thread;

    /// <summary>Queues <paramref name="recorder"/> to be prefaulted, a page a millisecond (the thread is started now if it is not running).</summary>
    public static void Queue(LatenessRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        EnsureThread();
        s_queue.Add(recorder);
    }

    private static void EnsureThread()
    {
        if (Volatile.Read(ref s_thread) is not null)
        {
            return;
        }

        lock (s_startGate)
        {
            if (s_thread is not null)
            {
                return;
            }

            var thread = new Thread(Run) { IsBackground = true, Name = "MiniportTimers recorder prefault" };
            thread.UnsafeStart();
            Volatile.Write(ref s_thread, thread);
        }
    }

    private static void Run()
    {
        foreach (var recorder in s_queue.GetConsumingEnumerable())
        {
            recorder.Prefault(LatenessRecorder.PageStrideCounts, s_pause);
        }
    }
}
