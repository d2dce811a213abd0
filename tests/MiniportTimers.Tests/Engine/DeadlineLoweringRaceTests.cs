using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// Two arming threads that both lower the programmed wake-up race on the OS write: the later lowering (earlier deadline)
/// can land first. The engine must end with the OS timer at the earliest deadline (see "Lost wake-ups" in TimerEngine).
/// </summary>
public class DeadlineLoweringRaceTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void EarlierLoweringLandsFirst_TheLaterOsWriteIsRedone_OsTimerEndsAtTheEarliestDeadline()
    {
        using var engine = new RecordingEngine();
        using var aWriting = new ManualResetEventSlim();
        using var bDone = new ManualResetEventSlim();
        engine.BeforeOsWrite = deadline =>
        {
            if (deadline == 5 * Ms && !aWriting.IsSet)
            {
                aWriting.Set(); // A has lowered programmed to 5 ms and is about to write the OS timer ...
                Assert.True(bDone.Wait(TimeSpan.FromSeconds(10))); // ... but B lowers to 3 ms and writes first
            }
        };

        var a = new Thread(() => engine.Arm(engine.CreateTimer((_, in _) => { }), 5 * Ms));
        a.Start();
        Assert.True(aWriting.Wait(TimeSpan.FromSeconds(10)));
        engine.Arm(engine.CreateTimer((_, in _) => { }), 3 * Ms);
        Assert.Equal(3 * Ms, engine.OsDeadline);
        bDone.Set();
        Assert.True(a.Join(TimeSpan.FromSeconds(10)));

        Assert.Equal(3 * Ms, engine.OsDeadline); // A's stale 5 ms landed last and was written over
        Assert.Equal([3 * Ms, 5 * Ms, 3 * Ms], engine.Writes); // B, A's stale write, A's redo
    }

    [Fact]
    public void LaterDeadline_DoesNotTouchTheOsTimer()
    {
        using var engine = new RecordingEngine();
        engine.Arm(engine.CreateTimer((_, in _) => { }), 3 * Ms);
        engine.Arm(engine.CreateTimer((_, in _) => { }), 5 * Ms);
        Assert.Equal([3 * Ms], engine.Writes);
    }

    /// <summary>An engine with no dispatcher: it records the OS writes that arming threads make.</summary>
    private sealed class RecordingEngine : TimerEngine
    {
        private readonly object _gate = new();
        private readonly List<long> _writes = [];

        public Action<long>? BeforeOsWrite { get; set; }

        public long OsDeadline
        {
            get
            {
                lock (_gate)
                {
                    return _writes.Count == 0 ? long.MaxValue : _writes[^1];
                }
            }
        }

        public long[] Writes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _writes];
                }
            }
        }

        public override long NowNanoseconds => 0;

        public override bool IsVirtual => false;

        public override void FlushDispatched()
        {
        }

        internal override void OnEarliestDeadlineLowered(DispatchQueue queue, long deadlineNanoseconds)
        {
            BeforeOsWrite?.Invoke(deadlineNanoseconds);
            lock (_gate)
            {
                _writes.Add(deadlineNanoseconds);
            }
        }
    }
}
