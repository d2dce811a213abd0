using System.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Ndis;
using MiniportTimers.Tests.Support;
using MiniportTimers.TimeProviders;
using static MiniportTimers.Ndis.NdisApi;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Reliability;

/// <summary>Runs alone (no other test's engines may start or end meanwhile): it counts the process's timerfds and threads.</summary>
[CollectionDefinition(nameof(LifecycleFuzz), DisableParallelization = true)]
public sealed class LifecycleFuzz;

/// <summary>
/// Issue 11, lifecycle fuzzing: several threads create, arm, cancel and dispose engines, providers, hosts, adapters and
/// timers in random interleavings on the real clock. Only the documented exceptions may come out (ObjectDisposedException
/// for an Arm or CreateTimer after Dispose, a BugCheckException a DDI documents), no step may hang, and afterwards no
/// timerfd or engine thread is left behind.
/// </summary>
[Collection(nameof(LifecycleFuzz))]
public class LifecycleFuzzTests
{
    private static readonly TimeSpan StepDeadline = TimeSpan.FromSeconds(5);

    /// <summary>Everything one round creates, shared by its threads.</summary>
    private sealed class World : IDisposable
    {
        public World(int round)
        {
            Engine = new RealTimeTimerEngine($"fuzz{round}");
            Provider = new EngineTimeProvider(new RealTimeTimerEngine($"fuzzp{round}"), ownsEngine: true);
            StorportHost = new StorportHost(Engine, new StorportHostOptions { Verifier = round % 2 == 0 });
            Extension = NullMiniport.Start(StorportHost);
            Ndis = new NdisTestBed(engine: Engine, options: new NdisHostOptions { Verifier = round % 2 == 1 });
        }

        public RealTimeTimerEngine Engine { get; }

        public EngineTimeProvider Provider { get; }

        public StorportHost StorportHost { get; }

        public object Extension { get; }

        public NdisTestBed Ndis { get; }

        public void Dispose()
        {
            Provider.Dispose();
            Engine.Dispose();
        }
    }

    private static void Step(World w, Random rng, bool late, List<EngineTimer> timers, List<ITimer> providerTimers, List<StorPortTimerHandle> handles, List<NdisTimerObject> objects)
    {
        switch (rng.Next(22))
        {
            case 0:
                timers.Add(w.Engine.CreateTimer((_, in _) => { }));
                break;
            case 1 or 2:
                if (timers.Count > 0)
                {
                    w.Engine.ArmAfter(timers[rng.Next(timers.Count)], rng.Next(0, 2_000_000), rng.Next(0, 100_000), rng.Next(3) == 0 ? rng.Next(50_000, 1_000_000) : 0);
                }

                break;
            case 3:
                if (timers.Count > 0)
                {
                    w.Engine.Cancel(timers[rng.Next(timers.Count)]);
                }

                break;
            case 4:
                providerTimers.Add(w.Provider.CreateTimer(_ => { }, null, TimeSpan.FromMicroseconds(rng.Next(0, 2_000)), rng.Next(3) == 0 ? TimeSpan.FromMilliseconds(1) : Timeout.InfiniteTimeSpan));
                break;
            case 5:
                if (providerTimers.Count > 0)
                {
                    providerTimers[rng.Next(providerTimers.Count)].Change(TimeSpan.FromMicroseconds(rng.Next(0, 2_000)), Timeout.InfiniteTimeSpan);
                }

                break;
            case 6:
                if (providerTimers.Count > 0)
                {
                    providerTimers[rng.Next(providerTimers.Count)].Dispose();
                }

                break;
            case 7:
                if (StorPortInitializeTimer(w.Extension, out var handle) == STOR_STATUS_SUCCESS)
                {
                    handles.Add(handle!);
                }

                break;
            case 8 or 9:
                if (handles.Count > 0)
                {
                    _ = StorPortRequestTimer(w.Extension, handles[rng.Next(handles.Count)], (_, _) => { }, null, (ulong)rng.Next(0, 2_000), (ulong)rng.Next(0, 100));
                }

                break;
            case 10:
                if (handles.Count > 0)
                {
                    var i = rng.Next(handles.Count);
                    _ = StorPortFreeTimer(w.Extension, handles[i]);
                    handles.RemoveAt(i);
                }

                break;
            case 11:
                if (NdisAllocateTimerObject(w.Ndis.Adapter, NDIS_TIMER_CHARACTERISTICS.For((_, _, _, _) => { }, null), out var o) == NDIS_STATUS_SUCCESS)
                {
                    objects.Add(o!);
                }

                break;
            case 12 or 13:
                if (objects.Count > 0)
                {
                    _ = NdisSetTimerObject(objects[rng.Next(objects.Count)], -rng.Next(0, 20_000), rng.Next(4) == 0 ? 1 : 0, null);
                }

                break;
            case 14:
                if (objects.Count > 0)
                {
                    _ = NdisCancelTimerObject(objects[rng.Next(objects.Count)]);
                }

                break;
            case 15:
                if (objects.Count > 0)
                {
                    var i = rng.Next(objects.Count);
                    NdisFreeTimerObject(objects[i]);
                    objects.RemoveAt(i);
                }

                break;
            case 16 when late && rng.Next(40) == 0:
                if (w.StorportHost.Adapters is [var first, ..])
                {
                    first.Remove();
                }

                break;
            case 17 when late && rng.Next(40) == 0:
                w.Ndis.Adapter.Halt();
                break;
            case 18 when late && rng.Next(100) == 0:
                w.Engine.Dispose();
                break;
            case 19 when late && rng.Next(100) == 0:
                w.Provider.Dispose();
                break;
            case 20:
                w.Engine.FlushDispatched();
                break;
            default:
                Thread.SpinWait(rng.Next(1_000));
                break;
        }
    }

    private static bool IsDocumented(Exception ex) => ex is ObjectDisposedException or BugCheckException;

    private static int CountTimerFds() =>
        Directory.GetFileSystemEntries("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget?.Contains("timerfd", StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                return false; // closed while listed
            }
        });

    private static int CountEngineThreads() =>
        Directory.GetDirectories("/proc/self/task").Count(task =>
        {
            try
            {
                var comm = File.ReadAllText(Path.Combine(task, "comm"));
                return comm.StartsWith("fuzz", StringComparison.Ordinal) || comm.StartsWith("MiniportTimers", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // ended while listed
            }
        });

    [LinuxFact]
    public void RandomLifecycles_OnlyDocumentedExceptions_NoHang_NoTimerFdOrThreadLeft()
    {
        var (fdsBefore, threadsBefore) = (CountTimerFds(), CountEngineThreads());
        var failures = new List<string>();
        long completed = 0;
        for (var round = 0; round < 12; round++)
        {
            var world = new World(round);
            var workers = Enumerable.Range(0, 4).Select(t => new Thread(() =>
            {
                var rng = new Random((round * 100) + t);
                var (timers, providerTimers, handles, objects) = (new List<EngineTimer>(), new List<ITimer>(), new List<StorPortTimerHandle>(), new List<NdisTimerObject>());
                for (var n = 0; n < 1_500; n++)
                {
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        Step(world, rng, late: n >= 1_200, timers, providerTimers, handles, objects);
                        Interlocked.Increment(ref completed);
                    }
                    catch (Exception ex) when (IsDocumented(ex))
                    {
                        // the documented answers
                    }
                    catch (Exception ex)
                    {
                        lock (failures)
                        {
                            failures.Add($"round {round} thread {t} step {n}: {ex.GetType().Name}: {ex.Message}");
                        }
                    }

                    if (watch.Elapsed > StepDeadline)
                    {
                        lock (failures)
                        {
                            failures.Add($"round {round} thread {t} step {n} took {watch.Elapsed}");
                        }
                    }
                }
            }) { IsBackground = true }).ToList();
            workers.ForEach(w => w.Start());
            foreach (var w in workers)
            {
                Assert.True(w.Join(TimeSpan.FromSeconds(60)), $"round {round}: a thread hung ({string.Join("; ", failures)})");
            }

            world.Dispose();
        }

        Assert.Empty(failures);
        Assert.True(completed > 12 * 4 * 1_000, $"only {completed} steps completed without an exception: the fuzz did little");
        Assert.True(SpinWait.SpinUntil(() => CountTimerFds() <= fdsBefore && CountEngineThreads() <= threadsBefore, TimeSpan.FromSeconds(10)),
            $"left behind: timerfds {CountTimerFds()} (before {fdsBefore}), engine threads {CountEngineThreads()} (before {threadsBefore})");
    }

    [Fact]
    public void Decided_OnADisposedEngine_ArmingDdisThrowObjectDisposed_CancelAndFreeStaySafe()
    {
        var world = new World(0);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(world.Extension, out var handle));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(world.Extension, out var idle));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(world.Extension, handle, (_, _) => { }, null, 10_000_000, 0));
        Assert.Equal(NDIS_STATUS_SUCCESS, NdisAllocateTimerObject(world.Ndis.Adapter, NDIS_TIMER_CHARACTERISTICS.For((_, _, _, _) => { }, null), out var timerObject));
        NdisSetTimerObject(timerObject!, -10_000_000, 0, null); // 1 s: still pending at the dispose below, even with a cold JIT
        var providerTimer = world.Provider.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        world.Dispose();

        Assert.Throws<ObjectDisposedException>(() => StorPortRequestTimer(world.Extension, idle, (_, _) => { }, null, 1_000, 0));
        Assert.Equal(STOR_STATUS_BUSY, StorPortRequestTimer(world.Extension, handle, (_, _) => { }, null, 1_000, 0)); // still pending: answered, not armed
        Assert.Throws<ObjectDisposedException>(() => NdisSetTimerObject(timerObject!, -10_000, 0, null));
        Assert.Throws<ObjectDisposedException>(() => world.Provider.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));

        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(world.Extension, handle, (_, _) => { }, null, 0, 0)); // a cancel
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(world.Extension, handle));
        Assert.True(NdisCancelTimerObject(timerObject!));
        NdisFreeTimerObject(timerObject!);
        providerTimer.Dispose();
        Assert.False(providerTimer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
    }
}
