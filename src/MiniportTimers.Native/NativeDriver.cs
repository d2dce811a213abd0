using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MiniportTimers.Kernel;
using MiniportTimers.Native.Interop;

namespace MiniportTimers.Native;

/// <summary>
/// A driver .so built with native/toolchain.mk (its source plus native/shim/mpt_shim.c), loaded into this process: its
/// shim's entry points, its function names (for reports), and what its DbgPrint calls wrote. The stack-specific hosts
/// (<see cref="Storport.NativeStorportDriver"/>) bind it to a host and run its DriverEntry.
/// </summary>
/// <remarks>
/// Before the file is loaded it is checked (<see cref="Verify"/>; docs/native.md, "What is checked before loading"), and
/// it is loaded with immediate binding, so a broken driver is a <see cref="NativeDriverException"/>, never the end of the
/// process. The library stays loaded until the process ends (unloading code whose timers may still be queued is not
/// safe); <see cref="IDisposable.Dispose"/> on the stack host frees the native memory the host allocated for it.
/// Thread-safe.
/// </remarks>
public abstract class NativeDriver : IFrameDriver
{
    private readonly DebugOutputRing _debugOutput;
    private readonly ConcurrentDictionary<nint, NativeCallback> _callbacks = new();
    private readonly ConcurrentDictionary<(nint Address, Type Kind), object> _storage = new();
    private readonly ElfSymbols _symbols;
    private readonly nint _base;

    private protected NativeDriver(string path, int recentDebugPrints)
        : this(System.IO.Path.GetFullPath(path), LoadLibrary(path), recentDebugPrints)
    {
    }

    /// <summary>A driver linked into this process itself (way (a): the C test program that links the driver, the shim and this library).</summary>
    private protected NativeDriver(int recentDebugPrints)
        : this(Environment.ProcessPath ?? "/proc/self/exe", NativeLibrary.GetMainProgramHandle(), recentDebugPrints)
    {
    }

    private unsafe NativeDriver(string path, nint library, int recentDebugPrints)
    {
        Path = path;
        Library = library;
        _debugOutput = new DebugOutputRing(recentDebugPrints);
        try
        {
            Shim = new ShimEntryPoints(Library);
        }
        catch (NativeDriverException ex)
        {
            throw new NativeDriverException($"{Path}: {ex.Message}", ex);
        }

        DdiTable.Attach(Shim, Path);

        LibC.DlInfo info;
        _base = LibC.DlAddr((nint)Shim.RaiseBugCheck, &info) != 0 ? info.FileBase : 0;
        _symbols = ElfSymbols.Read(Path);
    }

    /// <summary>
    /// Checks the driver file at <paramref name="path"/> as <c>Load</c> does before loading it, without loading it: a
    /// readable, complete ELF64 shared object for x86-64 (every segment and section within the file), exporting the
    /// shim's entry points (MptSetDdiTable, MptRaiseBugCheck, MptCallDriverEntry), defining DriverEntry, and needing
    /// nothing from other objects that the C library (or a library it names) does not export. docs/native.md, "What is
    /// checked before loading", lists the messages.
    /// </summary>
    /// <param name="path">The driver .so.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="NativeDriverException">A check failed: the message is "FULL-PATH: reason".</exception>
    public static void Verify(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        DriverPreflight.Check(System.IO.Path.GetFullPath(path));
    }

    /// <summary>Checks the file (<see cref="Verify"/>), then loads it with immediate binding (RTLD_NOW): nothing is left to resolve mid-run.</summary>
    private static nint LoadLibrary(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        DriverPreflight.Check(full);
        var library = LibC.Open(full, LibC.RtldNow, out var reason);
        if (library == 0)
        {
            reason ??= "dlopen gave no reason";
            throw new NativeDriverException(reason.Contains("undefined symbol: ", StringComparison.Ordinal)
                ? $"{full}: could not be loaded: {reason}: {DriverPreflight.DdiPointer}"
                : $"{full}: could not be loaded: {reason}");
        }

        return library;
    }

    /// <summary>
    /// Which stack the driver at <paramref name="path"/> targets, from the marker its storport.h or ndis.h left in its
    /// symbol table (a driver that includes both is reported as NDIS only if it does not include storport.h).
    /// </summary>
    public static NativeStack DetectStack(string path)
    {
        var symbols = ElfSymbols.Read(path);
        return symbols.Defines("mpt_targets_storport") ? NativeStack.Storport
            : symbols.Defines("mpt_targets_ndis") ? NativeStack.Ndis
            : NativeStack.Unknown;
    }

    /// <summary>The driver file.</summary>
    public string Path { get; }

    /// <summary>
    /// The most recent lines the driver printed (DbgPrint, DbgPrintEx, StorPortDebugPrint), formatted with Windows
    /// semantics, oldest first: at most the host's <see cref="MiniportTimers.Kernel.KernelHostOptions.RecentDebugPrints"/>
    /// (10,000 by default; older ones are counted in <see cref="DebugPrintsDropped"/>). A copy: later prints do not
    /// change it.
    /// </summary>
    public IReadOnlyList<string> DebugOutput => _debugOutput.Snapshot();

    /// <summary>Every print the driver made (kept in <see cref="DebugOutput"/> or dropped from it): exact.</summary>
    public long DebugPrintCount => _debugOutput.Printed;

    /// <summary>The prints pushed out of <see cref="DebugOutput"/> by newer ones (<see cref="DebugPrintCount"/> minus those kept): exact.</summary>
    public long DebugPrintsDropped => _debugOutput.Dropped;

    /// <summary>Raised for each debug print, on the thread that printed (do not block).</summary>
    public event Action<string>? DebugPrinted;

    internal nint Library { get; }

    internal ShimEntryPoints Shim { get; }

    /// <inheritdoc/>
    unsafe void IFrameDriver.UnwindToTrampoline() => Shim.RaiseBugCheck();

    /// <summary>
    /// Runs the driver's DriverEntry (PASSIVE_LEVEL) with <paramref name="driverObject"/> as the DriverObject it sees, so
    /// its registration (StorPortInitialize, NdisMRegisterMiniportDriver) finds this driver object.
    /// </summary>
    /// <returns>What DriverEntry returned: a success status (NT_SUCCESS).</returns>
    /// <exception cref="NativeDriverException">DriverEntry raised a bug check, or returned a status that is not a success
    /// ("PATH: DriverEntry returned 0xC0000001 (STATUS_UNSUCCESSFUL)", with <see cref="NativeDriverException.DriverEntryStatus"/>).</exception>
    private protected unsafe uint RunDriverEntry(nint driverObject)
    {
        // In a kernel context at PASSIVE_LEVEL, as every adapter routine runs: a bug check raised under DriverEntry gives
        // back the spin locks and the IRQL the host raised for them, so the thread is clean for the next driver.
        uint status = 0;
        var fault = MiniportTimers.Kernel.KernelContext.Run(MiniportTimers.Kernel.KIRQL.PASSIVE_LEVEL, (Driver: this, Object: driverObject), (in s) =>
            status = DdiGuard.Call(s.Driver, "DriverEntry", s.Object, static (d, o, f) => d.Shim.CallDriverEntry(o, 0, f)));
        if (fault is not null)
        {
            throw new NativeDriverException($"{Path}: DriverEntry raised {fault.Message}", fault);
        }

        return NtStatusNames.IsSuccess(status) ? status
            : throw new NativeDriverException($"{Path}: DriverEntry returned {NtStatusNames.Describe(status)}", status);
    }

    /// <summary>The C function at <paramref name="address"/>, by its source name (or its address when unknown).</summary>
    internal string NameOf(nint address) =>
        _base != 0 && address >= _base ? _symbols.NameAt((ulong)(address - _base)) ?? $"0x{address:X}" : $"0x{address:X}";

    /// <summary>The wrapper of this driver's C routine at <paramref name="routine"/>, created once.</summary>
    internal NativeCallback Callback(nint routine) =>
        _callbacks.GetOrAdd(routine, static (r, d) => new NativeCallback(d, r), this);

    /// <summary>
    /// The host object that stands for the driver's storage at <paramref name="address"/> (an NDIS_MINIPORT_TIMER, ...),
    /// made on first use. Per driver object: a driver's static storage outlives a host, and the next host's driver must
    /// not find the last host's timers in it.
    /// </summary>
    internal T Storage<T>(nint address, Func<nint, T> create)
        where T : class =>
        (T)_storage.GetOrAdd((address, typeof(T)), static (key, c) => c(key.Address), create);

    /// <summary>
    /// Forgets the host objects that stand for storage at addresses in [<paramref name="start"/>, <paramref name="start"/> +
    /// <paramref name="length"/>): memory the host frees (a device extension at its adapter's removal). Storage a driver
    /// places there again later gets new host objects, as freed and reallocated memory must be initialized again.
    /// </summary>
    /// <returns>The host objects forgotten (the caller cancels what is still queued).</returns>
    internal List<object> RemoveStorage(nint start, nuint length)
    {
        var removed = new List<object>();
        foreach (var key in _storage.Keys)
        {
            if (NativeRange.Contains(start, length, key.Address) && _storage.TryRemove(key, out var value))
            {
                removed.Add(value);
            }
        }

        return removed;
    }

    /// <summary>The host objects of this driver object's storage (a snapshot).</summary>
    internal ICollection<object> StorageObjects => _storage.Values;

    /// <summary>Entries of this driver object's storage map (issue 21 §4: <see cref="NativeBridgeStatistics"/>).</summary>
    internal int StorageCount => _storage.Count;

    /// <summary>C routine wrappers made for this driver object.</summary>
    internal int CallbackCount => _callbacks.Count;

    internal void AddDebugOutput(string text)
    {
        _debugOutput.Add(text);
        DebugPrinted?.Invoke(text);
    }
}
