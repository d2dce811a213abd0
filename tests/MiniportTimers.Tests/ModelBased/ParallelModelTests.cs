using CsCheck;

namespace MiniportTimers.Tests.ModelBased;

/// <summary>
/// Issue 13: a real concurrency check. CsCheck's SampleParallel runs random StorPortRequestTimer requests and cancels
/// from several threads at once against one adapter, and checks that what the timers then do equals what some
/// one-at-a-time order of the same calls would have done (linearizability), shrinking any counterexample.
/// </summary>
public class ParallelModelTests
{
    /// <summary>Samples run at once (CsCheck's threads); MPT_PARALLEL_ITER/THREADS make a longer hunt possible locally.</summary>
    private static int ParallelThreads() => int.TryParse(Environment.GetEnvironmentVariable("MPT_PARALLEL_THREADS"), out var n) ? n : -1;

    private static int Iterations() => int.TryParse(Environment.GetEnvironmentVariable("MPT_PARALLEL_ITER"), out var n) ? n : 200;

    [Fact]
    public void ConcurrentRequestsAndCancels_AreLinearizable()
    {
        var requests = Gen.Select(Gen.Int[0, 3], Gen.Frequency((1, Gen.Const(0L)), (4, Gen.Long[1, 500])), Gen.Int[0, 999], (slot, us, tag) => (slot, us, tag))
            .Operation<ParallelTimerRig>(o => $"Request(s{o.slot}, {o.us} us)", (rig, o) => rig.Request(o.slot, o.us, o.tag));
        Check.SampleParallel(
            Gen.Const(() => new ParallelTimerRig()),
            requests,
            equal: (actual, model) => actual.Settle() == model.Settle(),
            iter: Iterations(),
            threads: ParallelThreads());
    }
}
