using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace MiniportTimers.Engine.Queue;

/// <summary>
/// A software prefetch of a timer object the dispatcher is about to touch. With a million timers pending, the
/// dispatcher's cost is cache and TLB misses on timers filed long ago (a pulled bucket is a linked list through cold
/// objects; a near entry names a timer last touched when it was filed), so it asks for the next one while it still works
/// on the current one. Only a hint: the address is read from the reference, the object may move at the next GC, and a
/// prefetch of any address never faults. Nothing on processors without SSE (the JIT drops the call).
/// </summary>
internal static class Prefetch
{
    /// <summary>Brings the first cache line of <paramref name="target"/> (its header and first fields) toward L1: a timer's callback object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Object(object? target)
    {
        if (Sse.IsSupported && target is not null)
        {
            Sse.Prefetch0((byte*)Unsafe.As<object, nint>(ref target));
        }
    }

    /// <summary>Brings the first two cache lines of <paramref name="timer"/> (its header and every engine field) toward L1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Timer(EngineTimer? timer)
    {
        if (Sse.IsSupported && timer is not null)
        {
            var address = (byte*)Unsafe.As<EngineTimer, nint>(ref timer);
            Sse.Prefetch0(address);
            Sse.Prefetch0(address + 64);
        }
    }
}
