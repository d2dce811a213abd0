using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.ModelBased;

/// <summary>
/// The timer semantics, small and obviously right: no engine, no threads, no locks. A list of armed timers with due
/// time, deadline (due + tolerance), period and arm order; advancing wakes at the earliest deadline and fires, in
/// (due, arm order) order, every timer due by then: the firing rule of architecture.md. Status values follow
/// semantics.md §1-§2 and the decisions.
/// </summary>
public sealed class ReferenceModel
{
    private readonly Dictionary<string, Armed> _armed = [];
    private readonly HashSet<int> _freed = [];
    private readonly HashSet<int> _initialized = [];
    private long _order;

    public long NowMicroseconds { get; private set; }

    public List<string> Log { get; } = [];

    /// <summary>Applies one operation and returns the status it must produce ("" for operations without one).</summary>
    public string Apply(Operation op)
    {
        switch (op.Kind)
        {
            case "Init":
                // A new handle in the slot: an arming of the old handle goes on under another name.
                if (_armed.Remove($"S{op.Slot}", out var old))
                {
                    _armed[$"S{op.Slot}#old{_order}"] = old with { Key = $"S{op.Slot}#old{_order}" };
                }

                _initialized.Add(op.Slot);
                _freed.Remove(op.Slot);
                return StorStatusName(STOR_STATUS_SUCCESS);

            case "Request":
            case "RequestAtDispatch":
            case "RequestAtDirql":
                var key = $"S{op.Slot}";
                if (!_initialized.Contains(op.Slot) || _freed.Contains(op.Slot))
                {
                    return StorStatusName(STOR_STATUS_INVALID_PARAMETER);
                }

                if (op.Value == 0)
                {
                    _armed.Remove(key);
                    return StorStatusName(STOR_STATUS_SUCCESS);
                }

                if (_armed.ContainsKey(key))
                {
                    return StorStatusName(STOR_STATUS_BUSY);
                }

                var tolerance = op.Kind == "RequestAtDirql" || op.Tolerance < 32 ? 0 : op.Tolerance;
                Arm(key, NowMicroseconds + op.Value, tolerance, 0, $"ctx{op.Slot}.{op.Value}");
                return StorStatusName(STOR_STATUS_SUCCESS);

            case "Free":
                if (!_initialized.Contains(op.Slot))
                {
                    return StorStatusName(STOR_STATUS_INVALID_PARAMETER);
                }

                if (!_freed.Add(op.Slot))
                {
                    return StorStatusName(STOR_STATUS_UNSUCCESSFUL);
                }

                _armed.Remove($"S{op.Slot}");
                return StorStatusName(STOR_STATUS_SUCCESS);

            case "Legacy":
                _armed.Remove("L");
                if (op.Value != 0)
                {
                    Arm("L", NowMicroseconds + op.Value, 0, 0, op.Tolerance == 0 ? "A" : "B");
                }

                return string.Empty;

            case "NdisSet":
                var wasQueued = _armed.Remove($"N{op.Slot}");
                Arm($"N{op.Slot}", NowMicroseconds + op.Value, 0, op.Tolerance * 1000, $"obj{op.Slot}");
                return wasQueued ? "TRUE" : "FALSE";

            case "NdisCancel":
                return _armed.Remove($"N{op.Slot}") ? "TRUE" : "FALSE";

            case "NdisMSet":
                // NDIS 5: milliseconds; a pending setting is replaced (KeSetTimer underneath).
                Arm($"M{op.Slot}", NowMicroseconds + (op.Value * 1000), 0, 0, $"mt{op.Slot}");
                return string.Empty;

            case "NdisMSetPeriodic":
                // First expiry one period from now, then every period (phase kept).
                Arm($"M{op.Slot}", NowMicroseconds + (op.Value * 1000), 0, op.Value * 1000, $"mt{op.Slot}");
                return string.Empty;

            case "NdisMCancel":
                return _armed.Remove($"M{op.Slot}") ? "TRUE" : "FALSE";

            case "Remove":
                // Every Storport timer still queued (extended or legacy) is TIMER_OR_DPC_INVALID and cancelled (A6);
                // the next adapter starts with no handles.
                var queued = _armed.Keys.Where(k => k[0] is 'S' or 'L').ToList();
                queued.ForEach(k => _armed.Remove(k));
                _initialized.Clear();
                _freed.Clear();
                return queued.Count == 0 ? "REMOVED 0" : $"REMOVED {queued.Count} TIMER_OR_DPC_INVALID";

            case "Advance":
                AdvanceTo(NowMicroseconds + op.Value);
                return string.Empty;

            default:
                throw new InvalidOperationException(op.Kind);
        }
    }

    private void Arm(string key, long due, long tolerance, long period, string tag) =>
        _armed[key] = new Armed(key, due, due + tolerance, tolerance, period, _order++, tag);

    private void AdvanceTo(long target)
    {
        while (_armed.Count > 0)
        {
            var wake = _armed.Values.Min(a => a.Deadline);
            if (wake > target)
            {
                break;
            }

            NowMicroseconds = Math.Max(NowMicroseconds, wake);
            while (_armed.Values.Where(a => a.Due <= NowMicroseconds).OrderBy(a => a.Due).ThenBy(a => a.Order).FirstOrDefault() is { } next)
            {
                _armed.Remove(next.Key);
                if (next.Period > 0)
                {
                    var skip = (NowMicroseconds - next.Due) / next.Period;
                    var due = next.Due + ((skip + 1) * next.Period);
                    _armed[next.Key] = next with { Due = due, Deadline = due + next.Tolerance, Order = _order++ };
                }

                Log.Add($"{NowMicroseconds} {next.Tag}");
            }
        }

        NowMicroseconds = Math.Max(NowMicroseconds, target);
    }

    private sealed record Armed(string Key, long Due, long Deadline, long Tolerance, long Period, long Order, string Tag);
}
