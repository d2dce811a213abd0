using MiniportTimers.Kernel;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Kernel;

public class IrqlTests
{
    [Fact]
    public void NewThread_StartsAtPassiveLevel()
    {
        KIRQL seen = KIRQL.HIGH_LEVEL;
        var t = new Thread(() => seen = KeGetCurrentIrql());
        t.Start();
        t.Join();
        Assert.Equal(KIRQL.PASSIVE_LEVEL, seen);
    }

    [Fact]
    public void KeRaiseIrql_ThenLower_RestoresPreviousLevel()
    {
        KeRaiseIrql(KIRQL.DISPATCH_LEVEL, out var old);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, old);
        Assert.Equal(KIRQL.DISPATCH_LEVEL, KeGetCurrentIrql());
        KeLowerIrql(old);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void KeRaiseIrql_BelowCurrent_BugChecksIrqlNotGreaterOrEqual()
    {
        KeRaiseIrql(KIRQL.DISPATCH_LEVEL, out var old);
        try
        {
            var bc = Assert.Throws<BugCheckException>(() => KeRaiseIrql(KIRQL.APC_LEVEL, out _));
            Assert.Equal(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, bc.Code);
        }
        finally
        {
            KeLowerIrql(old);
        }
    }

    [Fact]
    public void KeLowerIrql_AboveCurrent_BugChecksIrqlNotLessOrEqual()
    {
        var bc = Assert.Throws<BugCheckException>(() => KeLowerIrql(KIRQL.DISPATCH_LEVEL));
        Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, bc.Code);
        Assert.Equal(0x0Au, bc.Code);
    }

    [Fact]
    public void WorkRecordedAboveDispatch_RunsWhenIrqlDropsToDispatch()
    {
        var ran = new List<string>();
        KeRaiseIrql((KIRQL)7, out var old);
        IrqlState.RunAtOrBelowDispatch(() => ran.Add("first"));
        IrqlState.RunAtOrBelowDispatch(() => ran.Add("second"));
        Assert.Empty(ran);
        KeLowerIrql((KIRQL)4);
        Assert.Empty(ran);
        KeLowerIrql(KIRQL.DISPATCH_LEVEL);
        Assert.Equal(["first", "second"], ran);
        KeLowerIrql(old);
    }

    [Fact]
    public void WorkRecordedAtOrBelowDispatch_RunsAtOnce()
    {
        var ran = false;
        IrqlState.RunAtOrBelowDispatch(() => ran = true);
        Assert.True(ran);
    }

    [Fact]
    public void BugCheckCodes_HaveWindowsNumbers()
    {
        Assert.Equal(
            [0x09u, 0x0Au, 0x0Fu, 0x10u, 0x1Eu, 0xC4u, 0xC7u, 0xD1u, 0xE1u, 0x133u],
            [BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, BugCheckCodes.SPIN_LOCK_NOT_OWNED, BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, BugCheckCodes.TIMER_OR_DPC_INVALID, BugCheckCodes.DRIVER_IRQL_NOT_LESS_OR_EQUAL, BugCheckCodes.WORKER_THREAD_RETURNED_AT_BAD_IRQL, BugCheckCodes.DPC_WATCHDOG_VIOLATION]);
        Assert.Equal("WORKER_THREAD_RETURNED_AT_BAD_IRQL", BugCheckCodes.Name(0xE1));
        Assert.Equal([0, 1, 2, 12, 13, 14, 15], new[] { KIRQL.PASSIVE_LEVEL, KIRQL.APC_LEVEL, KIRQL.DISPATCH_LEVEL, KIRQL.SYNCH_LEVEL, KIRQL.CLOCK_LEVEL, KIRQL.IPI_LEVEL, KIRQL.HIGH_LEVEL }.Select(i => (int)i));
    }

    [Fact]
    public void IrqlName_NamesTheLevelsAsWindowsDoes_NotTheEnumsEqualValuedAliases()
    {
        Assert.Equal("DIRQL 5", ((KIRQL)5).IrqlName()); // ToString: CMCI_LEVEL
        Assert.Equal("HIGH_LEVEL", ((KIRQL)15).IrqlName()); // ToString: PROFILE_LEVEL
        Assert.Equal("IPI_LEVEL", ((KIRQL)14).IrqlName());
        Assert.Equal("DISPATCH_LEVEL", KIRQL.DISPATCH_LEVEL.IrqlName());
        var bc = Assert.Throws<BugCheckException>(() =>
        {
            Ke.KeRaiseIrql((KIRQL)5, out var old);
            try
            {
                Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, "SomeDdi");
            }
            finally
            {
                Ke.KeLowerIrql(old);
            }
        });
        Assert.Contains("called at DIRQL 5; it allows at most DISPATCH_LEVEL", bc.Message, StringComparison.Ordinal);
    }
}
