using MiniportTimers.Hosting.Timers;
using MiniportTimers.Ndis;
using MiniportTimers.Ndis.Timers;
using MiniportTimers.Tests.Ndis;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Hosting.Timers;

/// <summary>
/// An adapter's timers (Hosting/Timers/AdapterTimerTable): tracked once each, in tracking order, up to a cap; untracked
/// in O(1); abandoned all at once (each cancelled: none of them fires).
/// </summary>
public class AdapterTimerTableTests
{
    private static (NdisTestBed Bed, NdisTimerObject[] Objects, NdisTimer[] Timers, int[] Fired) ThreeTimers()
    {
        var bed = new NdisTestBed();
        var fired = new int[3];
        var objects = new NdisTimerObject[3];
        for (var i = 0; i < objects.Length; i++)
        {
            var index = i;
            objects[i] = bed.NewTimerObject((_, _, _, _) => fired[index]++);
        }

        return (bed, objects, [.. objects.Select(o => o.Timer)], fired);
    }

    [Fact]
    public void Tracks_OnceEach_InTrackingOrder_UpToACap_AndUntracks()
    {
        var (_, _, timers, _) = ThreeTimers();
        var table = new AdapterTimerTable<NdisTimer>();
        Assert.True(table.TryTrack(timers[2]));
        Assert.True(table.TryTrack(timers[0]));
        Assert.True(table.TryTrack(timers[2])); // again: still once, in its first place
        Assert.Equal([timers[2], timers[0]], table.Snapshot());
        Assert.False(table.TryTrack(timers[1], cap: 2)); // the cap: nothing tracked
        Assert.Equal(2, table.Count);

        table.Untrack(timers[2]);
        table.Untrack(timers[2]); // not tracked: nothing happens
        Assert.True(table.TryTrack(timers[1], cap: 2));
        Assert.Equal([timers[0], timers[1]], table.Snapshot());
    }

    [Fact]
    public void AbandonAll_CancelsEveryTrackedTimer_AndOnlyThose()
    {
        var (bed, objects, timers, fired) = ThreeTimers();
        var table = new AdapterTimerTable<NdisTimer>();
        foreach (var timerObject in objects)
        {
            NdisSetTimerObject(timerObject, -10_000, 0, null); // 1 ms
        }

        table.TryTrack(timers[0]);
        table.TryTrack(timers[2]);
        table.AbandonAll();
        bed.AdvanceMs(5);
        Assert.Equal([0, 1, 0], fired);
    }
}
