using MiniportTimers.Engine;
using MiniportTimers.Ndis;
using MiniportTimers.Tests.Ndis;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Hosting;

/// <summary>
/// Issue 15's per-CPU dispatch, at the hosting layer: adapters are spread over the engine's dispatchers, and one
/// adapter's callback that blocks for 200 ms does not stop another adapter's 1 ms timer on another dispatcher.
/// </summary>
public sealed class AdapterProcessorTests
{
    [Fact]
    public void OneAdaptersBlockedCallback_DoesNotDelayAnotherAdaptersOneMillisecondTimer()
    {
        using var engine = new RealTimeTimerEngine("adapters", dispatchers: 2);
        var bed = new NdisTestBed(adapters: 2, engine: engine);
        var (slow, fast) = (bed.Created[0], bed.Created[1]);
        Assert.Equal((0, 1), (slow.Processor, fast.Processor)); // round-robin as they were created

        using var blocking = new ManualResetEventSlim();
        using var released = new ManualResetEventSlim();
        var ticksWhileBlocked = 0;
        var tick = bed.NewTimerObject((_, _, _, _) =>
        {
            if (blocking.IsSet && !released.IsSet)
            {
                Interlocked.Increment(ref ticksWhileBlocked);
            }
        }, handle: fast);
        var block = bed.NewTimerObject((_, _, _, _) =>
        {
            blocking.Set();
            Thread.Sleep(200);
            released.Set();
        }, handle: slow);

        NdisSetTimerObject(tick, -10_000, 1, null);   // every 1 ms on the fast adapter
        NdisSetTimerObject(block, -200_000, 0, null); // in 20 ms, on the slow one: blocks for 200 ms
        Assert.True(released.Wait(TimeSpan.FromSeconds(10)));
        NdisCancelTimerObject(tick);

        // About 200 expected; none on one shared dispatcher. The lower bound is generous: on a loaded 2-core machine the
        // fast adapter's dispatcher gets the CPU for only part of those 200 ms (62 ticks were seen with four builds running).
        Assert.InRange(Volatile.Read(ref ticksWhileBlocked), 10, 220);
    }

    [Fact]
    public void Processor_IsSettable_WithinTheEnginesDispatchers_AndIsZeroOnAVirtualEngine()
    {
        var bed = new NdisTestBed(adapters: 2);
        Assert.Equal((0, 0), (bed.Created[0].Processor, bed.Created[1].Processor));
        Assert.Throws<ArgumentOutOfRangeException>(() => bed.Created[0].Processor = 1);

        using var engine = new RealTimeTimerEngine("settable", dispatchers: 2);
        var real = new NdisTestBed(adapters: 1, engine: engine);
        real.Adapter.Processor = 1;
        Assert.Equal(1, real.Adapter.Processor);
        Assert.Throws<ArgumentOutOfRangeException>(() => real.Adapter.Processor = 2);
    }

    [Theory]
    [InlineData(true, 0u, "irq 0")]    // the default DPC: the adapter's processor (0)
    [InlineData(false, 0b10u, "irq 1")] // TargetProcessors alone queues it, on the lowest targeted processor
    [InlineData(false, 0b100u, "irq 0")] // a processor the host does not have: the adapter's
    public void InterruptDpc_RunsOnTheDefaultOrTargetedProcessor(bool queueDefault, uint targets, string expectedThread)
    {
        using var engine = new RealTimeTimerEngine("irq", dispatchers: 2);
        string? ranOn = null;
        using var ran = new ManualResetEventSlim();
        NdisInterrupt? handle = null;
        var bed = new NdisTestBed(adapters: 0, engine: engine);
        bed.Initialize = adapter => Assert.Equal(NDIS_STATUS_SUCCESS, NdisMRegisterInterruptEx(
            adapter,
            null,
            new NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS
            {
                InterruptHandler = (object _, out bool queueDpc, out uint targetProcessors) =>
                {
                    (queueDpc, targetProcessors) = (queueDefault, targets);
                    return true;
                },
                InterruptDpcHandler = (_, _) =>
                {
                    ranOn = Thread.CurrentThread.Name;
                    ran.Set();
                },
            },
            out handle));
        var adapter = bed.Host.AddAdapter();
        Assert.Equal(0, adapter.Processor);
        Assert.True(adapter.RaiseInterrupt());
        Assert.True(ran.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(expectedThread, ranOn);
        GC.KeepAlive(handle);
    }
}
