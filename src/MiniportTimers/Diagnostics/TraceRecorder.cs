using System.Text.Json;

namespace MiniportTimers.Diagnostics;

/// <summary>
/// Records a run as Chrome trace events (the JSON that chrome://tracing and Perfetto open): one track per adapter
/// (process "adapters") with timer arms, cancels, callbacks, lock holds and bug checks. Each callback is recorded once,
/// on its adapter's track, with its lateness, due time and the dispatch thread that ran it as arguments
/// (<c>lateness_us</c>, <c>due_us</c>, <c>dispatch_thread</c>: the per-thread view is a query over that argument).
/// Timestamps are engine time in µs. An interval that took no time on the trace's clock (most callbacks on a virtual
/// clock, where time moves only between them) is written as an instant event (<c>"ph":"i"</c>, thread scope) with the
/// same name and arguments and <c>dur_us</c> 0, which Perfetto draws as a marker on the track; a zero-length
/// complete event it would draw as nothing. Attach one recorder to any number of hosts, each through its own view
/// (<c>host.Trace = recorder.ForHost("storahci")</c>) so that two hosts' adapters of the same name ("adapter0") get
/// their own tracks ("storahci/adapter0"), then <see cref="WriteTo(Stream)"/>.
/// </summary>
/// <remarks>Thread-safe. Recording allocates one small object per event; hosts call it only while a recorder is attached.</remarks>
public sealed class TraceRecorder
{
    private const int AdaptersPid = 1;

    private readonly object _gate;
    private readonly List<TraceEvent> _events;
    private readonly Dictionary<string, int> _adapterTracks;

    /// <summary>The host name this view puts before each adapter's name, or null (the recorder itself).</summary>
    private readonly string? _host;

    /// <summary>Creates an empty recorder.</summary>
    public TraceRecorder()
    {
        _gate = new object();
        _events = [];
        _adapterTracks = new Dictionary<string, int>(StringComparer.Ordinal);
    }

    private TraceRecorder(TraceRecorder store, string host)
    {
        (_gate, _events, _adapterTracks) = (store._gate, store._events, store._adapterTracks);
        OmitZeroLengthLockHolds = store.OmitZeroLengthLockHolds;
        _host = store._host is null ? host : $"{store._host}/{host}";
    }

    /// <summary>
    /// A view of this recorder for one host: the same events and output, with every adapter track keyed, and named, by
    /// host and adapter ("<paramref name="host"/>/adapter0").
    /// </summary>
    /// <param name="host">The host's name (a sample's, e.g. "nvme").</param>
    public TraceRecorder ForHost(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        return new TraceRecorder(this, host);
    }

    /// <summary>
    /// Leaves out lock holds that took no time (on a virtual clock most do: more than half of a virtual trace's events).
    /// Views made by <see cref="ForHost"/> take the value the recorder has when they are made. Default false.
    /// </summary>
    public bool OmitZeroLengthLockHolds { get; set; }

    /// <summary>Events recorded so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>A timer was armed: instant on the adapter's track.</summary>
    internal void Arm(string adapter, string kind, string callback, long atNanoseconds, long dueNanoseconds) =>
        Add(new TraceEvent($"arm {callback}", kind, 'i', AdaptersPid, Track(adapter), atNanoseconds, 0, [("due_us", dueNanoseconds / 1000.0)]));

    /// <summary>A pending timer was cancelled: instant on the adapter's track.</summary>
    internal void Cancel(string adapter, string kind, string callback, long atNanoseconds) =>
        Add(new TraceEvent($"cancel {callback}", kind, 'i', AdaptersPid, Track(adapter), atNanoseconds, 0, null));

    /// <summary>
    /// A timer callback ran from <paramref name="startNanoseconds"/> to <paramref name="endNanoseconds"/>: one slice on the
    /// adapter's track (an instant if it took no time), with its lateness, due time and dispatch thread as arguments.
    /// </summary>
    internal void Callback(string adapter, string kind, string callback, long dueNanoseconds, long startNanoseconds, long endNanoseconds)
    {
        System.Diagnostics.Debug.Assert(endNanoseconds >= startNanoseconds, "the engine clock never goes back");
        (string, double)[] args =
        [
            ("lateness_us", (startNanoseconds - dueNanoseconds) / 1000.0),
            ("due_us", dueNanoseconds / 1000.0),
            ("dispatch_thread", Environment.CurrentManagedThreadId),
        ];
        Add(new TraceEvent(callback, kind, 'X', AdaptersPid, Track(adapter), startNanoseconds, endNanoseconds - startNanoseconds, args));
    }

    /// <summary>A port lock was held around a miniport routine.</summary>
    internal void LockHold(string adapter, string lockName, string routine, long startNanoseconds, long endNanoseconds)
    {
        if (endNanoseconds == startNanoseconds && OmitZeroLengthLockHolds)
        {
            return;
        }

        Add(new TraceEvent($"{lockName} ({routine})", "lock", 'X', AdaptersPid, Track(adapter), startNanoseconds, endNanoseconds - startNanoseconds, null));
    }

    /// <summary>A bug check: a global instant.</summary>
    internal void BugCheck(string adapter, string routine, string codeName, long atNanoseconds) =>
        Add(new TraceEvent($"BUGCHECK {codeName} in {routine}", "bugcheck", 'i', AdaptersPid, Track(adapter), atNanoseconds, 0, null, Global: true));

    /// <summary>
    /// Writes the trace as Chrome trace event JSON (<c>{"traceEvents":[...]}</c>). A complete event that took no time is
    /// written as a thread-scoped instant with <c>dur_us</c> 0 among its arguments (see the class summary).
    /// </summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        TraceEvent[] events;
        KeyValuePair<string, int>[] adapters;
        lock (_gate)
        {
            events = [.. _events];
            adapters = [.. _adapterTracks];
        }

        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("displayTimeUnit", "ns");
        w.WriteStartArray("traceEvents");
        Metadata(w, "process_name", AdaptersPid, 0, "adapters");
        foreach (var (name, tid) in adapters)
        {
            Metadata(w, "thread_name", AdaptersPid, tid, name);
        }

        foreach (var e in events)
        {
            var instant = e.Phase == 'i' || e.DurationNanoseconds == 0;
            w.WriteStartObject();
            w.WriteString("name", e.Name);
            w.WriteString("cat", e.Category);
            w.WriteString("ph", instant ? "i" : "X");
            w.WriteNumber("ts", e.AtNanoseconds / 1000.0);
            if (instant)
            {
                w.WriteString("s", e.Global ? "g" : "t");
            }
            else
            {
                w.WriteNumber("dur", e.DurationNanoseconds / 1000.0);
            }

            w.WriteNumber("pid", e.Pid);
            w.WriteNumber("tid", e.Tid);
            var zeroLength = e.Phase == 'X' && instant;
            if (e.Args is { Length: > 0 } || zeroLength)
            {
                w.WriteStartObject("args");
                foreach (var (name, value) in e.Args ?? [])
                {
                    w.WriteNumber(name, value);
                }

                if (zeroLength)
                {
                    w.WriteNumber("dur_us", 0);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes the trace to a file.</summary>
    public void WriteTo(string path)
    {
        using var file = File.Create(path);
        WriteTo(file);
    }

    private static void Metadata(Utf8JsonWriter w, string kind, int pid, int tid, string name)
    {
        w.WriteStartObject();
        w.WriteString("name", kind);
        w.WriteString("ph", "M");
        w.WriteNumber("pid", pid);
        w.WriteNumber("tid", tid);
        w.WriteStartObject("args");
        w.WriteString("name", name);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private string Key(string adapter) => _host is null ? adapter : $"{_host}/{adapter}";

    private int Track(string adapter)
    {
        var key = Key(adapter);
        lock (_gate)
        {
            if (!_adapterTracks.TryGetValue(key, out var tid))
            {
                tid = _adapterTracks.Count + 1;
                _adapterTracks[key] = tid;
            }

            return tid;
        }
    }

    private void Add(TraceEvent e)
    {
        lock (_gate)
        {
            _events.Add(e);
        }
    }

    private sealed record TraceEvent(string Name, string Category, char Phase, int Pid, int Tid, long AtNanoseconds, long DurationNanoseconds, (string Name, double Value)[]? Args, bool Global = false);
}
