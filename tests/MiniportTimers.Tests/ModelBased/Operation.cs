namespace MiniportTimers.Tests.ModelBased;

/// <summary>One DDI call of a generated sequence (or a clock move). <see cref="Thread"/> picks which worker thread runs it.</summary>
public sealed record Operation(string Kind, int Slot, long Value, long Tolerance, int Thread)
{
    public override string ToString() => Kind switch
    {
        "Init" => $"T{Thread}: StorPortInitializeTimer -> slot {Slot}",
        "Request" => $"T{Thread}: StorPortRequestTimer(slot {Slot}, {Value} us, tol {Tolerance} us)",
        "RequestAtDirql" => $"T{Thread}: StorPortRequestTimer from HwInterrupt(slot {Slot}, {Value} us)",
        "Free" => $"T{Thread}: StorPortFreeTimer(slot {Slot})",
        "Legacy" => $"T{Thread}: RequestTimerCall({Value} us, routine {(Tolerance == 0 ? "A" : "B")})",
        "NdisSet" => $"T{Thread}: NdisSetTimerObject(obj {Slot}, -{Value * 10} x100ns, period {Tolerance} ms)",
        "NdisCancel" => $"T{Thread}: NdisCancelTimerObject(obj {Slot})",
        "Advance" => $"advance {Value} us",
        _ => Kind,
    };
}
