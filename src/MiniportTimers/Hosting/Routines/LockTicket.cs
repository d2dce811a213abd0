using MiniportTimers.Kernel;

namespace MiniportTimers.Hosting.Routines;

/// <summary>What releasing a routine's port locks needs: the IRQLs each acquire raised from, and when the hold began (for the trace).</summary>
internal readonly record struct LockTicket(KIRQL StartIoOldIrql, KIRQL InterruptOldIrql, long HeldSinceNanoseconds);
