using System.Collections.Concurrent;
using MiniportTimers.Engine;
using MiniportTimers.Storport;

namespace MiniportTimers.Samples.Nvme;

/// <summary>
/// The simulated NVMe controller behind one adapter: CSTS.RDY comes up a while after CC.EN, commands complete after a
/// latency with an interrupt, and after a surprise removal every register reads all-ones and nothing completes.
/// Time is the engine's, so the controller behaves the same on the virtual and the real clock.
/// </summary>
public sealed class NvmeController
{
    /// <summary>What the VS register reads on a present NVMe 1.4 controller.</summary>
    public const uint Version14 = 0x0001_0400;

    private readonly TimerEngine _engine;
    private readonly ConcurrentQueue<NvmeCommand> _completions = new();
    private long _enabledAtNanoseconds = long.MaxValue;

    /// <summary>Creates controller <paramref name="index"/>.</summary>
    /// <param name="index">Adapter index.</param>
    /// <param name="engine">The engine whose clock the hardware follows.</param>
    /// <param name="readyDelayNanoseconds">Time from CC.EN to CSTS.RDY; <see cref="long.MaxValue"/> never.</param>
    /// <param name="commandLatencyNanoseconds">Time from submission to completion.</param>
    /// <param name="removedAtNanoseconds">Engine time of a surprise removal, or null.</param>
    public NvmeController(int index, TimerEngine engine, long readyDelayNanoseconds, long commandLatencyNanoseconds, long? removedAtNanoseconds)
    {
        Index = index;
        _engine = engine;
        ReadyDelayNanoseconds = readyDelayNanoseconds;
        CommandLatencyNanoseconds = commandLatencyNanoseconds;
        RemovedAtNanoseconds = removedAtNanoseconds;
    }

    /// <summary>Adapter index.</summary>
    public int Index { get; }

    /// <summary>Time from CC.EN to CSTS.RDY, ns.</summary>
    public long ReadyDelayNanoseconds { get; }

    /// <summary>Time from submission to completion, ns.</summary>
    public long CommandLatencyNanoseconds { get; }

    /// <summary>Engine time of the surprise removal, or null.</summary>
    public long? RemovedAtNanoseconds { get; }

    /// <summary>CAP.TO: the worst-case time to ready, in 500 ms units (here 2 s).</summary>
    public int CapTimeout500ms { get; init; } = 4;

    /// <summary>The adapter the controller interrupts.</summary>
    public StorportAdapter? Adapter { get; set; }

    /// <summary>True once the device has been pulled out.</summary>
    public bool Removed => RemovedAtNanoseconds is { } at && _engine.NowNanoseconds >= at;

    /// <summary>CC.EN = 1: the controller starts coming ready.</summary>
    public void Enable() => Interlocked.Exchange(ref _enabledAtNanoseconds, _engine.NowNanoseconds);

    /// <summary>CSTS.RDY (all-ones when removed, so RDY reads 1 then: the driver must check VS).</summary>
    public bool ReadyBit => Removed || (Volatile.Read(ref _enabledAtNanoseconds) is var at && at != long.MaxValue && ReadyDelayNanoseconds != long.MaxValue && _engine.NowNanoseconds - at >= ReadyDelayNanoseconds);

    /// <summary>The VS register: <see cref="Version14"/>, or all-ones after a surprise removal.</summary>
    public uint ReadVersion() => Removed ? 0xFFFF_FFFF : Version14;

    /// <summary>Rings a submission queue doorbell: <paramref name="command"/> completes after the latency, with an interrupt.</summary>
    public void Submit(NvmeCommand command)
    {
        var timer = _engine.CreateTimer(static (t, in _) =>
        {
            var (controller, cmd) = ((NvmeController, NvmeCommand))t.State!;
            if (controller.Removed)
            {
                return; // a pulled device completes nothing
            }

            controller._completions.Enqueue(cmd);
            controller.Adapter?.RaiseInterrupt();
        }, (this, command));
        _engine.ArmAfter(timer, CommandLatencyNanoseconds);
    }

    /// <summary>Takes the next completion queue entry, if any.</summary>
    public bool TryReap(out NvmeCommand command) => _completions.TryDequeue(out command!);
}
