using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Samples.Harness;

/// <summary>
/// A workload view pinned to one dispatcher (<see cref="Workload.PinnedTo"/>) on a real engine with two: its events run
/// on one thread, and the completion routines of an adapter whose processor is that dispatcher run there too (what the
/// Storport scenario relies on to touch its state on one thread). Real clock, outcome only (no timing).
/// </summary>
public sealed class WorkloadTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void PinnedTo_EveryEventRunsOnTheDispatcherItNames_AndTheViewSharesTheOriginAndRandom()
    {
        using var engine = new RealTimeTimerEngine("workload-pinned-test", dispatchers: 2);
        var workload = new Workload(engine, engine.NowNanoseconds, 7);
        var pinned = workload.PinnedTo(3); // 3 mod 2
        Assert.Equal(1, pinned.Dispatcher);
        Assert.Same(workload.Random, pinned.Random);
        Assert.Equal(workload.Origin, pinned.Origin);

        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var done = new CountdownEvent(40);
        for (var i = 0; i < 20; i++)
        {
            pinned.At(10 * Ms, () => { threads.Add(Environment.CurrentManagedThreadId); done.Signal(); });
            pinned.After(5 * Ms, () => { threads.Add(Environment.CurrentManagedThreadId); done.Signal(); });
        }

        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        Assert.Single(threads.Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads.First());
    }

    /// <summary>
    /// Starts of one offset on an engine with several dispatchers reach the PnP thread in the order they were asked for.
    /// Before, their hand-over events were dealt over the dispatchers and raced: an NDIS sample that appended its
    /// adapters as they started then gave an event of adapter 0 adapter 1, or an index past the end (session eleven:
    /// `run --dispatchers 2` failed with "engine callbacks threw" in 3 of 6 runs).
    /// </summary>
    [Fact]
    public void StartDevice_StartsOfOneOffsetOnTwoDispatchers_RunInTheOrderAsked()
    {
        for (var round = 0; round < 5; round++)
        {
            using var engine = new RealTimeTimerEngine("start-order-test", dispatchers: 2);
            var workload = new Workload(engine, engine.NowNanoseconds, 7);
            var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
            for (var i = 0; i < 8; i++)
            {
                var index = i;
                workload.StartDevice(1 * Ms, () => order.Enqueue(index));
            }

            Assert.True(SpinWait.SpinUntil(() => order.Count == 8, TimeSpan.FromSeconds(30)));
            Assert.True(workload.WaitForDeviceStarts(TimeSpan.FromSeconds(30)));
            Assert.Equal(Enumerable.Range(0, 8), order);
        }
    }

    [Fact]
    public void StartDevice_OnARealEngine_StartsOnAPnpThreadNotTheDispatcher_ThenSchedules_AndAFaultGoesToTheDispatcher()
    {
        using var engine = new RealTimeTimerEngine("workload-pnp-test");
        var workload = new Workload(engine, engine.NowNanoseconds, 7);
        var dispatcherThread = 0;
        var startThreads = new System.Collections.Concurrent.ConcurrentQueue<(string Step, int Thread)>();
        using var scheduled = new ManualResetEventSlim();
        using var faulted = new ManualResetEventSlim();
        engine.CallbackFaulted += (_, ex) =>
        {
            if (ex.Message == "start failed")
            {
                faulted.Set();
            }
        };
        workload.At(0, () => dispatcherThread = Environment.CurrentManagedThreadId);
        workload.StartDevice(
            1 * Ms,
            () => { Thread.Sleep(20); startThreads.Enqueue(("start 0", Environment.CurrentManagedThreadId)); },
            () => { startThreads.Enqueue(("then 0", Environment.CurrentManagedThreadId)); workload.After(0, scheduled.Set); });
        workload.StartDevice(2 * Ms, () => startThreads.Enqueue(("start 1", Environment.CurrentManagedThreadId)));
        workload.StartDevice(3 * Ms, () => throw new InvalidOperationException("start failed"));

        Assert.True(scheduled.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(faulted.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(workload.WaitForDeviceStarts(TimeSpan.FromSeconds(30)));
        Assert.Equal(["start 0", "then 0", "start 1"], startThreads.Select(s => s.Step));
        Assert.Single(startThreads.Select(s => s.Thread).Distinct()); // one PnP thread, starts in due order
        Assert.NotEqual(dispatcherThread, startThreads.First().Thread);
        Assert.NotEqual(Environment.CurrentManagedThreadId, startThreads.First().Thread);
        Assert.Equal(1, engine.Statistics.CallbackFaults);
    }

    [Fact]
    public void StartDevice_OnAVirtualEngine_IsAnEventAtItsOffset_AndSchedulesAtOnce()
    {
        using var engine = new VirtualTimerEngine();
        var workload = new Workload(engine, 0, 7);
        var steps = new List<string>();
        workload.StartDevice(5 * Ms, () => steps.Add($"start at {engine.NowNanoseconds / Ms} ms"), () => steps.Add($"then at {engine.NowNanoseconds / Ms} ms"));
        Assert.Equal(["then at 0 ms"], steps);
        engine.AdvanceTo(10 * Ms);
        Assert.Equal(["then at 0 ms", "start at 5 ms"], steps);
        Assert.True(workload.WaitForDeviceStarts(TimeSpan.Zero));
    }

    [Fact]
    public void AnAdaptersCompletionRoutines_RunOnItsProcessorsDispatcher()
    {
        using var engine = new RealTimeTimerEngine("completion-processor-test", dispatchers: 2);
        var host = new StorportHost(engine);
        Assert.Equal(0u, host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => new object(),
            HwFindAdapter = (object ext, object? ctx, object? bus, string? args, PORT_CONFIGURATION_INFORMATION config, out bool again) =>
            {
                again = false;
                return StorPort.SP_RETURN_FOUND;
            },
            HwInitialize = _ => true,
            HwStartIo = (ext, srb) =>
            {
                srb.SrbStatus = StorPort.SRB_STATUS_SUCCESS;
                StorPort.StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestComplete, ext, srb);
                return true;
            },
            HwInterrupt = _ => false,
            HwAdapterControl = (_, _, _) => 0,
        }));
        var adapter = host.AddAdapter();
        adapter.Processor = 1;

        // The thread of dispatcher 1, as a pinned event sees it.
        var dispatcherThread = 0;
        using var seen = new ManualResetEventSlim();
        new Workload(engine, engine.NowNanoseconds, 1).PinnedTo(1).After(0, () => { dispatcherThread = Environment.CurrentManagedThreadId; seen.Set(); });
        Assert.True(seen.Wait(TimeSpan.FromSeconds(30)));

        // One at a time: each completion arms the adapter's completion timer from idle (before, each such arm was dealt
        // to the next dispatcher in the arming thread's rotation, so the routines alternated between the two).
        var threads = new List<int>();
        using var completed = new SemaphoreSlim(0);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(adapter.SubmitRequest(new SCSI_REQUEST_BLOCK
            {
                Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI,
                CdbOperationCode = 0x00,
                Tag = i,
                CompletionRoutine = _ => { threads.Add(Environment.CurrentManagedThreadId); completed.Release(); },
            }));
            Assert.True(completed.Wait(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal([dispatcherThread], threads.Distinct().ToArray());
        adapter.Remove();
    }
}
