namespace MiniportTimers.Kernel;

/// <summary>
/// The bug check codes the emulation raises, with the numbers and names Windows gives them (bugcodes.h), and the table
/// of what each one's four parameters mean (<see cref="Describe"/>): the one place that knows them. Every bug check is
/// raised through <see cref="BugCheck"/>, the only code that constructs a <see cref="BugCheckException"/>.
/// </summary>
public static class BugCheckCodes
{
    /// <summary>0x09: KeRaiseIrql to a level below the current one, or a spin lock acquired below its level.</summary>
    public const uint IRQL_NOT_GREATER_OR_EQUAL = 0x09;

    /// <summary>0x0A: a routine ran at an IRQL too high for it (or KeLowerIrql to a higher level).</summary>
    public const uint IRQL_NOT_LESS_OR_EQUAL = 0x0A;

    /// <summary>0x0F: a thread acquired a spin lock it already holds.</summary>
    public const uint SPIN_LOCK_ALREADY_OWNED = 0x0F;

    /// <summary>0x10: a thread released a spin lock it does not hold.</summary>
    public const uint SPIN_LOCK_NOT_OWNED = 0x10;

    /// <summary>PAGE_FAULT_IN_NONPAGED_AREA: a driver touched an address nothing maps (P1 = the address); here also a register access outside every mapped device range.</summary>
    public const uint PAGE_FAULT_IN_NONPAGED_AREA = 0x50;

    /// <summary>0x1E: an exception escaped kernel-mode code (here: a DPC or timer callback, or a miniport entry point).</summary>
    public const uint KMODE_EXCEPTION_NOT_HANDLED = 0x1E;

    /// <summary>0xE4: a work item queued while it is queued, or freed while it is queued (WORKER_INVALID).</summary>
    public const uint WORKER_INVALID = 0xE4;

    /// <summary>
    /// 0xE1: a work item's routine returned to its worker thread at DISPATCH_LEVEL or above (P1 the routine's address,
    /// P2 the IRQL it returned at, P3 the work item's parameter, P4 the work item's address).
    /// </summary>
    public const uint WORKER_THREAD_RETURNED_AT_BAD_IRQL = 0xE1;

    /// <summary>0xC4: Driver Verifier caught a violation.</summary>
    public const uint DRIVER_VERIFIER_DETECTED_VIOLATION = 0xC4;

    /// <summary>0xC7: a timer or DPC was freed (or its memory released) while still queued.</summary>
    public const uint TIMER_OR_DPC_INVALID = 0xC7;

    /// <summary>0xD1: a driver touched pageable memory or called a routine at too high an IRQL.</summary>
    public const uint DRIVER_IRQL_NOT_LESS_OR_EQUAL = 0xD1;

    /// <summary>0x133: a DPC ran longer than the DPC watchdog allows.</summary>
    public const uint DPC_WATCHDOG_VIOLATION = 0x133;

    /// <summary>The exception code a managed exception carries when it crosses into native code (0xE0434352, "CCR").</summary>
    public const uint ClrExceptionCode = 0xE0434352;

    /// <summary>STATUS_ACCESS_VIOLATION (0xC0000005): P1 of KMODE_EXCEPTION_NOT_HANDLED when kernel code read memory that is not what it should be (here: a HwDeviceExtension the host never created).</summary>
    public const uint STATUS_ACCESS_VIOLATION = 0xC0000005;

    /// <summary>
    /// The table: each code the emulation raises, its Windows name, and what P1-P4 carry (as the code's page in the
    /// debugger reference defines them, and what this host puts there where a managed object has no address: 0).
    /// </summary>
    internal static readonly BugCheckDefinition[] Table =
    [
        new(IRQL_NOT_GREATER_OR_EQUAL, nameof(IRQL_NOT_GREATER_OR_EQUAL), "the IRQL seen", "the IRQL required or called at", "0", "0"),
        new(IRQL_NOT_LESS_OR_EQUAL, nameof(IRQL_NOT_LESS_OR_EQUAL), "the address referenced (0 for a DDI called too high; KeLowerIrql: the new IRQL)", "the IRQL at the time", "the IRQL allowed (0 for KeLowerIrql)", "0"),
        new(SPIN_LOCK_ALREADY_OWNED, nameof(SPIN_LOCK_ALREADY_OWNED), "the spin lock's address (0)", "0", "0", "0"),
        new(SPIN_LOCK_NOT_OWNED, nameof(SPIN_LOCK_NOT_OWNED), "the spin lock's address (0)", "0", "0", "0"),
        new(KMODE_EXCEPTION_NOT_HANDLED, nameof(KMODE_EXCEPTION_NOT_HANDLED), "the exception code (ClrExceptionCode for a managed exception; STATUS_ACCESS_VIOLATION, STATUS_INVALID_PARAMETER, STATUS_NOT_IMPLEMENTED)", "the address of the exception (0; or the bad value)", "0", "0"),
        new(PAGE_FAULT_IN_NONPAGED_AREA, nameof(PAGE_FAULT_IN_NONPAGED_AREA), "the address referenced", "0 (read or write is not told)", "0", "0"),
        new(DRIVER_VERIFIER_DETECTED_VIOLATION, nameof(DRIVER_VERIFIER_DETECTED_VIOLATION), "the rule broken (VerifierRules)", "the rule's first value", "the rule's second value", "0"),
        new(TIMER_OR_DPC_INVALID, nameof(TIMER_OR_DPC_INVALID), "0 timer object, 1 DPC object", "the object's address (0)", "the start of the memory range checked (0)", "its end (0)"),
        new(DRIVER_IRQL_NOT_LESS_OR_EQUAL, nameof(DRIVER_IRQL_NOT_LESS_OR_EQUAL), "the address referenced", "the IRQL at the time", "0 read, 1 write", "the instruction's address"),
        new(WORKER_THREAD_RETURNED_AT_BAD_IRQL, nameof(WORKER_THREAD_RETURNED_AT_BAD_IRQL), "the routine's address (0)", "the IRQL it returned at", "the work item's parameter (0)", "the work item's address (0)"),
        new(WORKER_INVALID, nameof(WORKER_INVALID), "0 queued while queued, 1 freed while queued", "0", "0", "0"),
        new(DPC_WATCHDOG_VIOLATION, nameof(DPC_WATCHDOG_VIOLATION), "0 (a single DPC past its allotment)", "the time it ran, µs", "the allotment, µs", "0"),
    ];

    /// <summary>The name Windows gives <paramref name="code"/>, or its hex form.</summary>
    public static string Name(uint code) => Describe(code)?.Name ?? $"0x{code:X}";

    /// <summary>The table's row for <paramref name="code"/>; null for a code the emulation does not raise itself (a native driver's KeBugCheckEx).</summary>
    internal static BugCheckDefinition? Describe(uint code)
    {
        foreach (var row in Table)
        {
            if (row.Code == code)
            {
                return row;
            }
        }

        return null;
    }
}

/// <summary>A row of <see cref="BugCheckCodes.Table"/>: a code, its Windows name, and what its parameters carry.</summary>
internal sealed record BugCheckDefinition(uint Code, string Name, string Parameter1, string Parameter2, string Parameter3, string Parameter4);
