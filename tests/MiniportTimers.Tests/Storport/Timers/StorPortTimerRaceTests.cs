using MiniportTimers.Engine;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport.Timers;

/// <summary>
/// Issue 27: the Storport timers' request, cancel and commit take no lock (TimerCore's interleaving diagram, races (1) to
/// (5)). Several threads request, cancel and free ONE timer while its expiries fire on the real engine's dispatcher; the
/// invariants are the diagram's rules, checked by counting, with generous bounds and no timing assertion:
/// every successful request ends exactly once (a fire, a cancel or the free: Arms = Fires + Cancels), BUSY is answered
/// exactly while a request is pending, and no callback starts or runs after its free returned.
/// </summary>
public class StorPortTimerRaceTests
{
    private const ulong NeverMicroseconds = 10_000_000; // 10 s: no fire during the round

    [Fact]
    public void TwoThreadsRequestOneTimer_ExactlyOneIsAccepted_AndBusyIsAnsweredExactlyWhileItIsPending()
    {
        using var engine = new RealTimeTimerEngine();
        var host = new StorportHost(engine);
        var ext = RealClockAdapter.Create(host);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(ext, out var t));
        const int rounds = 400;
        var first = new uint[rounds];
        var second = new uint[rounds];
        var pendingAfterRace = new bool[rounds];
        var lateRequest = new uint[rounds];
        var pendingAfterCancelRace = new bool[rounds];
        using var barrier = new Barrier(2);
        void Worker(bool isFirst)
        {
            for (var round = 0; round < rounds; round++)
            {
                // Race (4)'s claim: both request the idle timer at once.
                barrier.SignalAndWait();
                var status = StorPortRequestTimer(ext, t, Nop, null, NeverMicroseconds, 0);
                (isFirst ? first : second)[round] = status;
                barrier.SignalAndWait();
                if (isFirst)
                {
                    pendingAfterRace[round] = t!.Timer.IsPending;
                }

                // Race (2): one cancels the pending request while the other requests again.
                barrier.SignalAndWait();
                if (isFirst)
                {
                    StorPortRequestTimer(ext, t, Nop, null, 0, 0);
                }
                else
                {
                    lateRequest[round] = StorPortRequestTimer(ext, t, Nop, null, NeverMicroseconds, 0);
                }

                barrier.SignalAndWait();
                if (isFirst)
                {
                    pendingAfterCancelRace[round] = t!.Timer.IsPending;
                    StorPortRequestTimer(ext, t, Nop, null, 0, 0); // idle for the next round
                }
            }
        }

        var a = new Thread(() => Worker(true));
        var b = new Thread(() => Worker(false));
        a.Start();
        b.Start();
        Assert.True(a.Join(TimeSpan.FromMinutes(2)) && b.Join(TimeSpan.FromMinutes(2)), "the workers finished");

        for (var round = 0; round < rounds; round++)
        {
            Assert.Equal(
                [STOR_STATUS_SUCCESS, STOR_STATUS_BUSY],
                new[] { first[round], second[round] }.Order().ToArray());
            Assert.True(pendingAfterRace[round], $"round {round}: the accepted request is pending");

            // The late request came after the cancel (SUCCESS: it is the one pending now) or before it (BUSY: nothing left).
            Assert.Contains(lateRequest[round], new[] { STOR_STATUS_SUCCESS, STOR_STATUS_BUSY });
            Assert.Equal(lateRequest[round] == STOR_STATUS_SUCCESS, pendingAfterCancelRace[round]);
        }

        var row = host.TimerActivity.Rows.Single(r => r.Kind == "StorPortRequestTimer");
        var accepted = rounds + lateRequest.Count(s => s == STOR_STATUS_SUCCESS);
        Assert.Equal(accepted, row.Arms);
        Assert.Equal((3 * rounds) - accepted, row.Busy);
        Assert.Equal(row.Arms, row.Cancels); // nothing fired, and the last cancel of each round left nothing pending
        Assert.Equal(0, row.Fires);
    }

    [Fact]
    public void TwoThreadsRequestAndCancelOneTimerWhileItFires_EveryAcceptedRequestEndsExactlyOnce()
    {
        using var engine = new RealTimeTimerEngine();
        var host = new StorportHost(engine);
        var ext = RealClockAdapter.Create(host);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(ext, out var t));
        var fires = 0L;
        var concurrent = 0;
        var overlaps = 0;
        void Callback(object e, object? c)
        {
            if (Interlocked.Increment(ref concurrent) > 1)
            {
                Interlocked.Increment(ref overlaps); // one dispatcher: two callbacks of one timer never overlap
            }

            Interlocked.Increment(ref fires);
            Interlocked.Decrement(ref concurrent);
        }

        var accepted = new long[2];
        var busy = new long[2];
        var unexpected = 0; // a status other than SUCCESS or BUSY (asserted on the test thread: a worker must not throw)
        void Worker(int index)
        {
            var random = new Random(index + 27);
            var started = System.Diagnostics.Stopwatch.StartNew();

            // 20,000 rounds, and on to 100 fires (a loaded 2-core machine may give the dispatcher no CPU for a while).
            for (var i = 0; i < 20_000 || (Interlocked.Read(ref fires) < 100 && started.Elapsed < TimeSpan.FromSeconds(30)); i++)
            {
                switch (StorPortRequestTimer(ext, t, Callback, null, (ulong)random.Next(1, 60), 0))
                {
                    case STOR_STATUS_SUCCESS:
                        accepted[index]++;
                        break;
                    case STOR_STATUS_BUSY:
                        busy[index]++;
                        break;
                    default:
                        Interlocked.Increment(ref unexpected);
                        break;
                }

                if (random.Next(3) == 0 && StorPortRequestTimer(ext, t, Callback, null, 0, 0) != STOR_STATUS_SUCCESS)
                {
                    Interlocked.Increment(ref unexpected);
                }

                if (random.Next(64) == 0)
                {
                    Thread.Sleep(0); // let the dispatcher fire some
                }
            }
        }

        var a = new Thread(() => Worker(0));
        var b = new Thread(() => Worker(1));
        a.Start();
        b.Start();
        Assert.True(a.Join(TimeSpan.FromMinutes(2)) && b.Join(TimeSpan.FromMinutes(2)), "the workers finished");

        Assert.Equal(0, Volatile.Read(ref unexpected));

        // The free (PASSIVE_LEVEL, this thread) cancels what is pending and waits for a running callback.
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(ext, t));
        var firesAtFree = Interlocked.Read(ref fires);

        var row = host.TimerActivity.Rows.Single(r => r.Kind == "StorPortRequestTimer");
        Assert.Equal(accepted.Sum(), row.Arms);
        Assert.Equal(busy.Sum(), row.Busy);
        Assert.Equal(firesAtFree, row.Fires);
        Assert.Equal(row.Arms, row.Fires + row.Cancels); // each accepted request fired, or was cancelled (or freed), once
        Assert.True(row.Fires > 0 && row.Cancels > 0, $"both ends happened ({row.Fires} fires, {row.Cancels} cancels)");
        Assert.Equal(0, Volatile.Read(ref overlaps));
        Thread.Sleep(50);
        Assert.Equal(firesAtFree, Interlocked.Read(ref fires)); // nothing after the free
    }

    [Fact]
    public void FreeWhileOtherThreadsRequestAndCancelAndTheExpiryFires_NoCallbackStartsOrRunsAfterTheFreeReturned()
    {
        using var engine = new RealTimeTimerEngine();
        var host = new StorportHost(engine);
        var ext = RealClockAdapter.Create(host);
        var violations = 0;
        var fires = 0L;
        var accepted = 0L;
        var random = new Random(2027);
        for (var round = 0; round < 150; round++)
        {
            Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(ext, out var t));
            var freeReturned = 0;
            void Callback(object e, object? c)
            {
                if (Volatile.Read(ref freeReturned) != 0)
                {
                    Interlocked.Increment(ref violations); // started after the free returned
                }

                Thread.SpinWait(200); // long enough for a free to come while it runs
                Interlocked.Increment(ref fires);
                if (Volatile.Read(ref freeReturned) != 0)
                {
                    Interlocked.Increment(ref violations); // still running when the free returned
                }
            }

            var requester = new Thread(() =>
            {
                var r = new Random(round);
                while (true)
                {
                    var status = StorPortRequestTimer(ext, t, Callback, null, (ulong)r.Next(1, 30), 0);
                    if (status == STOR_STATUS_INVALID_PARAMETER)
                    {
                        return; // freed: race (4)
                    }

                    if (status == STOR_STATUS_SUCCESS)
                    {
                        Interlocked.Increment(ref accepted);
                    }
                }
            });
            var canceller = new Thread(() =>
            {
                while (StorPortRequestTimer(ext, t, Callback, null, 0, 0) != STOR_STATUS_INVALID_PARAMETER)
                {
                    Thread.SpinWait(50);
                }
            });
            requester.Start();
            canceller.Start();
            Thread.Sleep(random.Next(0, 3));
            Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(ext, t)); // PASSIVE_LEVEL: waits for a running callback
            Volatile.Write(ref freeReturned, 1);
            Assert.True(requester.Join(TimeSpan.FromMinutes(1)) && canceller.Join(TimeSpan.FromMinutes(1)), $"round {round}: the workers saw the free");
            Assert.Equal(STOR_STATUS_UNSUCCESSFUL, StorPortFreeTimer(ext, t));
        }

        Thread.Sleep(50); // an expiry taken before a free would have run by now
        Assert.Equal(0, Volatile.Read(ref violations));
        var row = host.TimerActivity.Rows.Single(r => r.Kind == "StorPortRequestTimer");
        Assert.Equal(Interlocked.Read(ref accepted), row.Arms);
        Assert.Equal(Interlocked.Read(ref fires), row.Fires);
        Assert.Equal(row.Arms, row.Fires + row.Cancels); // the free counts the cancel of a request it found pending
        Assert.Equal(0, host.Adapters[^1].LiveTimerCount);
    }

    [Fact]
    public void LegacyTimer_TwoThreadsReplaceAndCancelWhileItFires_NoRequestIsLostOrEndsTwice()
    {
        using var engine = new RealTimeTimerEngine();
        var host = new StorportHost(engine);
        var ext = RealClockAdapter.Create(host);
        var fires = 0L;
        var requests = new long[2];
        void HwStorTimer(object e) => Interlocked.Increment(ref fires);
        void Worker(int index)
        {
            var random = new Random(index + 5);
            for (var i = 0; i < 20_000; i++)
            {
                var cancel = random.Next(4) == 0;
                StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, ext, (HW_TIMER)HwStorTimer, cancel ? 0u : (uint)random.Next(1, 60));
                if (!cancel)
                {
                    requests[index]++;
                }
            }
        }

        var a = new Thread(() => Worker(0));
        var b = new Thread(() => Worker(1));
        a.Start();
        b.Start();
        Assert.True(a.Join(TimeSpan.FromMinutes(2)) && b.Join(TimeSpan.FromMinutes(2)), "the workers finished");
        StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, ext, (HW_TIMER)HwStorTimer, 0u);
        Assert.False(host.Adapters[^1].LegacyTimer.IsPending);
        Thread.Sleep(100); // a callback committed before the cancel finishes
        var firesAfterCancel = Interlocked.Read(ref fires);
        Thread.Sleep(50);
        Assert.Equal(firesAfterCancel, Interlocked.Read(ref fires)); // nothing pending fires later

        var row = host.TimerActivity.Rows.Single(r => r.Kind == "RequestTimerCall");
        Assert.Equal(requests.Sum(), row.Arms);
        Assert.Equal(firesAfterCancel, row.Fires);

        // Each request ended once: it fired, was cancelled, or was replaced; a replaced (or cancelled) one whose expiry the
        // dispatcher had already taken ends as that expiry's drop (stale) instead, or besides the cancel.
        Assert.InRange(row.Fires + row.Cancels + row.Replaced, 0, row.Arms);
        Assert.InRange(row.Arms, row.Fires + row.Cancels + row.Replaced, row.Fires + row.Cancels + row.Replaced + row.StaleSkipped);
    }

    [Fact]
    public void ARequestWhoseExpiryFiresBeforeTheRequestReturns_StillFires_NoAcceptedRequestIsLost()
    {
        // Race (1): a 1 µs request may expire while its requester still holds the fields; the commit waits for the release
        // and then matches. A commit that dropped it instead would leave the request pending for ever (no fire; BUSY).
        using var engine = new RealTimeTimerEngine();
        var host = new StorportHost(engine);
        var ext = RealClockAdapter.Create(host);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(ext, out var t));
        using var fired = new AutoResetEvent(false);
        for (var i = 0; i < 2_000; i++)
        {
            Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(ext, t, (_, _) => fired.Set(), null, 1, 0));
            Assert.True(fired.WaitOne(TimeSpan.FromSeconds(30)), $"request {i} never fired");
        }

        var row = host.TimerActivity.Rows.Single(r => r.Kind == "StorPortRequestTimer");
        Assert.Equal((2_000L, 2_000L, 0L), (row.Arms, row.Fires, row.Cancels));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(ext, t));
    }

    private static void Nop(object ext, object? ctx)
    {
    }
}
