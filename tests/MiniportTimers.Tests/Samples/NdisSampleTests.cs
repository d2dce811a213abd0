using MiniportTimers.Engine;
using MiniportTimers.Ndis;
using MiniportTimers.Samples.E100bex;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Samples.Netvmini;
using MiniportTimers.Samples.Pcnet;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Samples;

/// <summary>The NDIS samples end to end (real-drivers.md N1, N3/N4, N6), on the virtual clock unless named otherwise.</summary>
public class NdisSampleTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private static T Run<T>(T sample, long durationMs, TimerEngine? engine = null)
        where T : ISampleRun
    {
        Assert.True(SampleRunner.Run(engine ?? new VirtualTimerEngine(), [sample], durationMs, seed: 1));
        Assert.Empty(sample.Diagnostics.BugChecks);
        Assert.Empty(sample.InvariantFailures);
        return sample;
    }

    private static long Fact(ISampleRun run, string label) => run.Facts.Single(f => f.Key == label).Value;

    [Fact]
    public void Netvmini_PauseAndResetPendAndCompleteFromTheBusyCheckTimer()
    {
        var run = Run(new NetvminiRun(adapters: 1), 11_000);
        var completions = run.Host.Completions.Where(c => c.Kind != "SendComplete").ToList();
        Assert.Equal(["PauseComplete", "ResetComplete"], completions.Select(c => c.Kind));
        Assert.All(completions, c => Assert.True(c.FromTimerCallback));
        var reset = completions[1];
        Assert.Equal(NDIS_STATUS_FAILURE, reset.Status); // busy for 2.5 s: gave up after 20 checks of 100 ms
        Assert.Equal(6_600 * Ms + (21 * 100 * Ms), reset.AtNanoseconds);
        var busyCheck = run.Diagnostics.TimerActivity.Rows.Single(r => r.Callback == "AsyncBusyCheckTimerDpc");
        Assert.True(busyCheck.Fires >= 22);
    }

    [Fact]
    public void Netvmini_ShortBusyReset_CompletesWithSuccess()
    {
        var run = Run(new NetvminiRun(adapters: 1), 3_000);
        var reset = run.Host.Completions.Single(c => c.Kind == "ResetComplete");
        Assert.Equal(NDIS_STATUS_SUCCESS, reset.Status);
    }

    [Fact]
    public void Netvmini_SendCompleteTimerWithDueTimeZero_FiresPromptlyForEverySend()
    {
        var run = Run(new NetvminiRun(adapters: 1), 3_000);
        var row = run.Diagnostics.TimerActivity.Rows.Single(r => r.Callback == "SendCompleteTimerDpc");
        Assert.Equal(Fact(run, "sends submitted"), Fact(run, "sends completed"));
        Assert.Equal(Fact(run, "sends completed"), Fact(run, "sends completed in timer callback"));
        Assert.Equal(0, row.Lateness.MaxNanoseconds);
        Assert.True(row.Fires > 1_000);
    }

    [Fact]
    public void Pcnet_PeriodicMediaPoll_IndicatesBothLinkChangesAndIsSetAgainAfterReset()
    {
        var run = Run(new PcnetRun(adapters: 1), 11_000);
        // The PHY is an emulated PCnet-PCI II: the poll read BCR4's link LED through the chip's ports (issue 23).
        var nic = Assert.IsType<MiniportTimers.Devices.Pcnet.Pcnet>(run.Adapters[0].Hardware?.Device);
        Assert.True(nic.LinkUp);
        var indications = run.Host.Indications;
        Assert.Equal([NDIS_STATUS_MEDIA_DISCONNECT, NDIS_STATUS_MEDIA_CONNECT], indications.Select(i => i.StatusCode));
        Assert.Equal(5_000 * Ms, indications[0].AtNanoseconds); // the first 5 s poll sees the cable pulled at 3.3 s
        Assert.Equal(10_500 * Ms, indications[1].AtNanoseconds); // re-armed by the reset at 5.5 s: polls at 10.5 s
        Assert.Equal(1, Fact(run, "resets completed"));
        var row = run.Diagnostics.TimerActivity.Rows.Single();
        Assert.Equal(("NdisMTimer", 2L, 2L), (row.Kind, row.Arms, row.Fires));
    }

    [Fact]
    public void E100bex_HeldRequestsCompleteFromTheLinkDetectionCallback()
    {
        var run = Run(new E100bexRun(adapters: 1), 2_000);
        var held = run.Host.Completions.Where(c => c.Kind != "SendComplete").ToList();
        Assert.Equal(["QueryInformationComplete", "SetInformationComplete", "ResetComplete"], held.Select(c => c.Kind));
        Assert.All(held, c => Assert.True(c.FromTimerCallback));
        Assert.Equal(NDIS_STATUS_ADAPTER_NOT_READY, held[2].Status);
        Assert.Equal(Fact(run, "sends submitted"), Fact(run, "sends completed"));
        var context = (E100Adapter)run.Adapters[0].MiniportAdapterContext!;
        Assert.InRange(held[0].AtNanoseconds, context.NegotiationDoneAtNanoseconds, context.NegotiationDoneAtNanoseconds + (100 * Ms));
        Assert.Equal(held[0].AtNanoseconds / (100 * Ms), context.DetectionPolls); // one poll every 100 ms until then
    }

    [Fact]
    public void E100bex_HaltDuringLinkDetection_WaitsForTheTimerToRunOut()
    {
        var engine = new VirtualTimerEngine();
        var host = new NdisHost(engine);
        host.NdisMRegisterMiniportDriver(E100bexMiniport.Create(() => 600_000), null, out _);
        var adapter = host.AddAdapter();
        engine.AdvanceBy(150 * Ms);
        var context = (E100Adapter)adapter.MiniportAdapterContext!;
        Assert.True(context.LinkDetection);
        adapter.Halt(); // drops its reference, then NdisWaitEvent: the virtual clock moves until detection is done
        Assert.False(context.LinkDetection);
        Assert.Equal(0, context.RefCount);
        Assert.InRange(engine.NowNanoseconds, 600 * Ms, 700 * Ms);
        Assert.Equal(NdisAdapterState.Halted, adapter.State);
        Assert.Empty(host.Diagnostics.Findings); // the timer ran out: nothing was queued at halt
    }

    /// <summary>
    /// e100bex is deserialized: a send can run on another processor while the link detection callback clears the flag
    /// and drains the queue. Before the adapter's lock, a send that read the flag set just before the clear queued after
    /// the drain and was never completed (and the queue was written on two threads at once). Here the test thread holds
    /// the adapter's lock as the callback does mid-drain: a send must wait for it, not act on the flag it read, and every
    /// send is completed once the callback has run. Real clock (two threads), generous bounds.
    /// </summary>
    [Fact]
    public void E100bex_ASendDuringTheCallbacksClearAndDrain_WaitsAndIsCompletedOnce()
    {
        using var engine = new RealTimeTimerEngine();
        var host = new NdisHost(engine);
        host.NdisMRegisterMiniportDriver(E100bexMiniport.Create(() => 600_000), null, out _);
        var adapter = host.AddAdapter();
        var context = (E100Adapter)adapter.MiniportAdapterContext!;
        Assert.True(adapter.Send(new NET_BUFFER_LIST { Tag = 1 })); // queued: detection runs
        AssertASendWaitsWhileHeld(adapter, context.Lock); // as the callback holds it between its clear and its drain
        Assert.True(SpinWait.SpinUntil(() => host.CountCompletions("SendComplete") == 2, TimeSpan.FromSeconds(10)));
        Assert.False(context.LinkDetection);
        adapter.Halt();
        Assert.Empty(host.Diagnostics.BugChecks);
        Assert.Equal(2, host.CountCompletions("SendComplete"));
    }

    /// <summary>
    /// netvmini is deserialized: a send, the send-complete timer's callback and a pause's datapath stop (a worker thread)
    /// can run at once on different processors, and each used the send queue without a lock. A send must wait for the
    /// queue's lock, and every send is still completed once.
    /// </summary>
    [Fact]
    public void Netvmini_ASendWhileTheSendQueueIsHeld_WaitsAndIsCompleted()
    {
        using var engine = new RealTimeTimerEngine();
        var host = new NdisHost(engine);
        host.NdisMRegisterMiniportDriver(NetvminiMiniport.Create(() => host.DriverHandle!), null, out _);
        var adapter = host.AddAdapter();
        var context = (NetvminiAdapter)adapter.MiniportAdapterContext!;
        AssertASendWaitsWhileHeld(adapter, context.SendQueueLock);
        Assert.True(SpinWait.SpinUntil(() => host.CountCompletions("SendComplete") == 1, TimeSpan.FromSeconds(10)));
        adapter.Halt();
        Assert.Empty(host.Diagnostics.BugChecks);
    }

    /// <summary>Holds <paramref name="spinLock"/> on the test thread while another thread sends: the send must not return
    /// while it is held (it would have used the state the lock guards), and returns once it is released.</summary>
    private static void AssertASendWaitsWhileHeld(NdisMiniportAdapter adapter, NDIS_SPIN_LOCK spinLock)
    {
        using var sendReturned = new ManualResetEventSlim();
        var sender = new Thread(() =>
        {
            adapter.Send(new NET_BUFFER_LIST { Tag = 2 });
            sendReturned.Set();
        });

        NdisAcquireSpinLock(spinLock);
        try
        {
            sender.Start();
            Assert.False(sendReturned.Wait(TimeSpan.FromMilliseconds(100)), "the send went on without the lock");
        }
        finally
        {
            NdisReleaseSpinLock(spinLock);
        }

        Assert.True(sendReturned.Wait(TimeSpan.FromSeconds(10)));
        sender.Join();
    }

    [Fact]
    public void AllSamples_RealClockShortRun_NoBugCheckNoEarlyFire()
    {
        using var engine = new RealTimeTimerEngine();
        ISampleRun[] runs = [new NetvminiRun(1), new PcnetRun(1), new E100bexRun(1)];
        Assert.True(SampleRunner.Run(engine, runs, 1_500, seed: 1));
        foreach (var run in runs)
        {
            Assert.Empty(run.Diagnostics.BugChecks);
            Assert.Empty(run.InvariantFailures);
            Assert.All(run.Diagnostics.TimerActivity.Rows, r => Assert.Equal(0, r.Lateness.EarlyCount));
        }
    }
}
