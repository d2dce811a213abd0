namespace MiniportTimers.Kernel;

/// <summary>
/// The one rule for an adapter's end states, shared by the Storport and NDIS adapters: a move to a terminal state
/// (Faulted, Halted, Removed) is atomic and one way. Once the adapter is in a final state (Removed or Halted, or Failed
/// at initialization) nothing moves it again, so a bug check that lands after a halt or removal returned (a callback
/// still finishing on the dispatcher) cannot turn a halted adapter into a faulted one. Faulted may still become
/// Removed or Halted (tearing down a faulted adapter).
/// </summary>
internal static class OneWayState
{
    /// <summary>Moves <paramref name="state"/> to <paramref name="to"/> unless it is already there or in a final state.</summary>
    /// <returns>True if this call moved it.</returns>
    public static bool MoveTo(ref int state, int to, int final, int failed)
    {
        System.Diagnostics.Debug.Assert(to != failed || to == final, "Failed is reached only by a failed initialization (a plain compare-and-swap from the first state)");
        while (true)
        {
            var from = Volatile.Read(ref state);
            if (from == final || from == failed || from == to)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref state, to, from) == from)
            {
                return true;
            }
        }
    }
}
