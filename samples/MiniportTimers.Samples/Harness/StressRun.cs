using System.Collections.Concurrent;
using MiniportTimers.Engine;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Harness;

/// <summary>
/// A real-clock stress run of the Storport timer DDIs: each thread requests, cancels and frees its own timers on one
/// adapter while callbacks run on the dispatcher. It checks that no callback is lost (a request never cancelled or
/// freed must run), duplicated, early (before its requested delay), or started after a successful free; and that
/// memory, threads and open file descriptors are back where they were afterwards. Forced blocking GCs can be injected
/// during the run (a soak): the DPC watchdog must not count them against a callback.
/// </summary>
public static class StressRun
{
    /// <summary>What a stress run saw.</summary>
    /// <param name="Operations">DDI calls made.</param>
    /// <param name="Callbacks">Callbacks that ran.</param>
    /// <param name="Violations">Lost, duplicate, early or post-free callbacks, and unexpected statuses (empty when all is well).</param>
    /// <param name="MemoryBeforeBytes">Managed memory after a full collection before the run.</param>
    /// <param name="MemoryAfterBytes">The same after the run, its objects dropped.</param>
    /// <param name="Seconds">Wall time of the run.</param>
    /// <param name="Resources">Threads and open descriptors before and after, and the GCs injected.</param>
    public sealed record Result(long Operations, long Callbacks, IReadOnlyList<string> Violations, long MemoryBeforeBytes, long MemoryAfterBytes, double Seconds, ResourceCounts Resources);

    /// <summary>OS threads and open file descriptors of the process before and after a run (-1 where the OS does not say).</summary>
    /// <param name="ThreadsBefore">OS threads after the warm-up, before the run.</param>
    /// <param name="ThreadsAfter">OS threads after the run (given up to 5 s to wind down).</param>
    /// <param name="FileDescriptorsBefore">Open descriptors before the run (Linux: /proc/self/fd).</param>
    /// <param name="FileDescriptorsAfter">Open descriptors after the run.</param>
    /// <param name="GcsInjected">Forced blocking full GCs made during the run.</param>
    public sealed record ResourceCounts(int ThreadsBefore, int ThreadsAfter, int FileDescriptorsBefore, int FileDescriptorsAfter, int GcsInjected)
    {
        /// <summary>True when neither threads nor descriptors grew.</summary>
        public bool Flat => ThreadsAfter <= ThreadsBefore && FileDescriptorsAfter <= FileDescriptorsBefore;
    }

    /// <summary>One handle's life: <see cref="Freed"/> is set once StorPortFreeTimer has returned; a new handle gets a new slot.</summary>
    private sealed class Slot
    {
        public volatile bool Freed;
    }

    private sealed record Request(long Id, long EarliestNanoseconds, Slot Slot);

    /// <summary>Runs <paramref name="operations"/> DDI calls spread over <paramref name="threads"/> threads.</summary>
    /// <param name="threads">Worker threads, at least 1.</param>
    /// <param name="operations">DDI calls in all, at least 1.</param>
    /// <param name="timersPerThread">Timer handles each thread owns.</param>
    /// <param name="maxSpinPerOperation">
    /// Upper bound of the random <see cref="Thread.SpinWait(int)"/> after each call (0 = none). Pacing lets the 20–2,000 µs
    /// timers expire between calls; unpaced, almost every request is overtaken by the next call on its handle.
    /// </param>
    /// <param name="forcedGcIntervalMilliseconds">0 for none; otherwise a forced blocking full GC this often during the run.</param>
    /// <param name="progress">Counts the run's operations and callbacks as they happen (for a live view); null for none.</param>
    public static Result Execute(int threads, long operations, int timersPerThread = 8, int maxSpinPerOperation = 2_000, int forcedGcIntervalMilliseconds = 0, StressProgress? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSpinPerOperation);
        ArgumentOutOfRangeException.ThrowIfNegative(forcedGcIntervalMilliseconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(operations, 1);

        // A small run first, so that the runtime's own lazily started threads (tiered JIT, the thread pool's gate) and
        // descriptors exist before the baseline is taken: what grows afterwards is the run's.
        _ = Run(1, 1_000, timersPerThread, maxSpinPerOperation, 0);
        var before = Memory();
        var (threadsBefore, fdsBefore) = (OsThreads(), OpenFileDescriptors());
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (callbacks, violations, gcs) = Run(threads, operations, timersPerThread, maxSpinPerOperation, forcedGcIntervalMilliseconds, progress);
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        var after = Memory();
        using var pause = new ManualResetEventSlim();
        for (var i = 0; i < 50 && (OsThreads() > threadsBefore || OpenFileDescriptors() > fdsBefore); i++)
        {
            pause.Wait(100); // threads that were told to end may take a moment to leave
        }

        return new Result(operations, callbacks, violations, before, after, seconds, new ResourceCounts(threadsBefore, OsThreads(), fdsBefore, OpenFileDescriptors(), gcs));
    }

    /// <summary>
    /// The run's own threads: on Linux those whose name starts with "stress" (the dispatcher, its watchdog, the workers,
    /// the GC injector), so other threads of a shared process (a test host) do not count; elsewhere every OS thread.
    /// </summary>
    private static int OsThreads()
    {
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self/task"))
        {
            return Directory.GetDirectories("/proc/self/task").Count(task =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(task, "comm")).StartsWith("stress", StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false; // ended while listed
                }
            });
        }

        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.Threads.Count;
    }

    private static int OpenFileDescriptors() =>
        OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : -1;

    private static long Memory()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static (long Callbacks, List<string> Violations, int GcsInjected) Run(int threads, long operations, int timersPerThread, int maxSpinPerOperation, int forcedGcIntervalMilliseconds, StressProgress? progress = null)
    {
        using var engine = new RealTimeTimerEngine("stress");
        var host = new StorportHost(engine);
        var ext = NullMiniport.Start(host);
        var fired = new ConcurrentDictionary<long, int>();
        var violations = new ConcurrentQueue<string>();
        var mustFire = new ConcurrentDictionary<long, byte>();
        long nextId = 0;

        HW_TIMER_EX callback = (_, ctx) =>
        {
            var r = (Request)ctx!;
            var now = engine.NowNanoseconds;
            if (now < r.EarliestNanoseconds)
            {
                violations.Enqueue($"request {r.Id} ran {r.EarliestNanoseconds - now} ns early");
            }

            if (r.Slot.Freed)
            {
                violations.Enqueue($"request {r.Id} ran after its timer was freed");
            }

            if (fired.AddOrUpdate(r.Id, 1, (_, n) => n + 1) > 1)
            {
                violations.Enqueue($"request {r.Id} ran twice");
            }

            progress?.CountCallback();
        };

        var perThread = operations / threads;
        var workers = Enumerable.Range(0, threads).Select(th => new Thread(() =>
        {
            var rng = new Random(1000 + th);
            var handles = new StorPortTimerHandle?[timersPerThread];
            var slots = new Slot[timersPerThread];
            var current = new Request?[timersPerThread];
            for (var i = 0; i < timersPerThread; i++)
            {
                StorPortInitializeTimer(ext, out handles[i]);
                slots[i] = new Slot();
            }

            for (long n = 0; n < perThread; n++)
            {
                var i = rng.Next(timersPerThread);
                switch (rng.Next(10))
                {
                    case < 6:
                        var value = (ulong)rng.Next(20, 2_000);
                        var r = new Request(Interlocked.Increment(ref nextId), engine.NowNanoseconds + ((long)value * 1000), slots[i]);
                        var s = StorPortRequestTimer(ext, handles[i], callback, r, value, 0);
                        if (s == STOR_STATUS_SUCCESS)
                        {
                            current[i] = r;
                            mustFire[r.Id] = 0;
                        }
                        else if (s != STOR_STATUS_BUSY)
                        {
                            violations.Enqueue($"request returned {StorStatusName(s)}");
                        }

                        break;
                    case < 8:
                        if (current[i] is { } c)
                        {
                            mustFire.TryRemove(c.Id, out _); // it may or may not run (decision A3)
                        }

                        StorPortRequestTimer(ext, handles[i], callback, null, 0, 0);
                        break;
                    default:
                        if (current[i] is { } d)
                        {
                            mustFire.TryRemove(d.Id, out _);
                        }

                        if (StorPortFreeTimer(ext, handles[i]) != STOR_STATUS_SUCCESS)
                        {
                            violations.Enqueue("free failed");
                        }

                        slots[i].Freed = true;
                        slots[i] = new Slot();
                        current[i] = null;
                        StorPortInitializeTimer(ext, out handles[i]);
                        break;
                }

                current[i] = current[i] is { } cur && fired.ContainsKey(cur.Id) ? null : current[i];
                if (maxSpinPerOperation > 0)
                {
                    Thread.SpinWait(rng.Next(maxSpinPerOperation));
                }

                if ((n & 63) == 0)
                {
                    Thread.Yield();
                }

                if ((n & 63) == 63)
                {
                    progress?.CountOperations(64);
                }
            }

            for (var i = 0; i < timersPerThread; i++)
            {
                if (current[i] is null)
                {
                    StorPortFreeTimer(ext, handles[i]);
                }
            }
        }) { Name = $"stress worker {th}" }).ToList();
        using var stopInjecting = new ManualResetEventSlim();
        var gcs = 0;
        var injector = forcedGcIntervalMilliseconds == 0 ? null : new Thread(() =>
        {
            while (!stopInjecting.Wait(forcedGcIntervalMilliseconds))
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                gcs++;
            }
        }) { IsBackground = true, Name = "stress GC injector" };
        injector?.Start();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        stopInjecting.Set();
        injector?.Join();

        // Every request still outstanding runs within 2 ms; give it generous room.
        var deadline = engine.NowNanoseconds + (5 * TimeUnits.NanosecondsPerSecond);
        while (mustFire.Keys.Any(id => !fired.ContainsKey(id)) && engine.NowNanoseconds < deadline)
        {
            engine.FlushDispatched();
        }

        foreach (var lost in mustFire.Keys.Where(id => !fired.ContainsKey(id)).Take(10))
        {
            violations.Enqueue($"request {lost} never ran");
        }

        // Bug checks first: one stops the adapter, and every later call then fails with the adapter's state.
        var bugChecks = host.BugChecks.Select(b => $"bug check in {b.Routine}: {b.BugCheck.Message}");
        host.Adapters[0].Remove();
        return (fired.Count, [.. bugChecks, .. violations], gcs);
    }
}

/// <summary>
/// What a running <see cref="StressRun"/> has done so far, for a live view: updated by its threads (operations in steps
/// of 64 per thread, callbacks one by one), read from any thread.
/// </summary>
public sealed class StressProgress
{
    private long _operations;
    private long _callbacks;

    /// <summary>DDI calls made so far (counted in steps of 64 per thread; the warm-up's are not counted).</summary>
    public long Operations => Interlocked.Read(ref _operations);

    /// <summary>Callbacks run so far.</summary>
    public long Callbacks => Interlocked.Read(ref _callbacks);

    internal void CountOperations(long count) => Interlocked.Add(ref _operations, count);

    internal void CountCallback() => Interlocked.Increment(ref _callbacks);
}
