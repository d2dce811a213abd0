using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MiniportTimers.Native.Interop;

namespace MiniportTimers.Native;

/// <summary>
/// A driver .so built with native/toolchain.mk (its source plus native/shim/mpt_shim.c), loaded into this process: its
/// shim's entry points, its function names (for reports), and what its DbgPrint calls wrote. The stack-specific hosts
/// (<see cref="Storport.NativeStorportDriver"/>) bind it to a host and run its DriverEntry.
/// </summary>
/// <remarks>
/// The library stays loaded until the process ends (unloading code whose timers may still be queued is not safe);
/// <see cref="IDisposable.Dispose"/> on the stack host frees the native memory the host allocated for it. Thread-safe.
/// </remarks>
public abstract class NativeDriver
{
    private readonly ConcurrentQueue<string> _debugOutput = new();
    private readonly ConcurrentDictionary<nint, NativeCallback> _callbacks = new();
    private readonly ConcurrentDictionary<(nint Address, Type Kind), object> _storage = new();
    private readonly ElfSymbols _symbols;
    private readonly nint _base;

    private protected NativeDriver(string path)
        : this(System.IO.Path.GetFullPath(path), LoadLibrary(path))
    {
    }

    /// <summary>A driver linked into this process itself (way (a): the C test program that links the driver, the shim and this library).</summary>
    private protected NativeDriver()
        : this(Environment.ProcessPath ?? "/proc/self/exe", NativeLibrary.GetMainProgramHandle())
    {
    }

    private unsafe NativeDriver(string path, nint library)
    {
        Path = path;
        Library = library;
        Shim = new ShimEntryPoints(Library);
        DdiTable.Attach(Shim, Path);

        LibC.DlInfo info;
        _base = LibC.DlAddr((nint)Shim.RaiseBugCheck, &info) != 0 ? info.FileBase : 0;
        _symbols = ElfSymbols.Read(Path);
    }

    private static nint LoadLibrary(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new NativeDriverException($"No driver at {full}.");
        }

        try
        {
            return NativeLibrary.Load(full);
        }
        catch (DllNotFoundException ex)
        {
            throw new NativeDriverException($"{full} could not be loaded: {ex.Message}", ex);
        }
        catch (BadImageFormatException ex)
        {
            throw new NativeDriverException($"{full} is not a shared library for this machine: {ex.Message}", ex);
        }
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

    /// <summary>Every line the driver printed (DbgPrint, DbgPrintEx, StorPortDebugPrint), formatted with Windows semantics, in order.</summary>
    public IReadOnlyCollection<string> DebugOutput => _debugOutput;

    /// <summary>Raised for each debug print, on the thread that printed (do not block).</summary>
    public event Action<string>? DebugPrinted;

    internal nint Library { get; }

    internal ShimEntryPoints Shim { get; }

    /// <summary>
    /// Runs the driver's DriverEntry (PASSIVE_LEVEL) with <paramref name="driverObject"/> as the DriverObject it sees, so
    /// its registration (StorPortInitialize, NdisMRegisterMiniportDriver) finds this driver object.
    /// </summary>
    /// <returns>What DriverEntry returned.</returns>
    /// <exception cref="NativeDriverException">DriverEntry raised a bug check.</exception>
    private protected unsafe uint RunDriverEntry(nint driverObject)
    {
        try
        {
            return DdiGuard.Call(this, "DriverEntry", driverObject, static (d, s, f) => d.Shim.CallDriverEntry(s, 0, f));
        }
        catch (MiniportTimers.Kernel.BugCheckException ex)
        {
            throw new NativeDriverException($"{Path}: DriverEntry raised {ex.Message}", ex);
        }
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
        _debugOutput.Enqueue(text);
        DebugPrinted?.Invoke(text);
    }
}
