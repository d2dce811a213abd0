using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace MiniportTimers.Native;

/// <summary>
/// A device extension a native miniport asked for (HW_INITIALIZATION_DATA.DeviceExtensionSize bytes, zeroed, in native
/// memory): the PVOID HwDeviceExtension its C code sees is <see cref="Address"/>; the host's DDIs see this object.
/// </summary>
public sealed class NativeDeviceExtension
{
    private static readonly ConcurrentDictionary<nint, NativeDeviceExtension> ByPointer = new();

    internal unsafe NativeDeviceExtension(uint size)
    {
        Size = size;
        Address = (nint)NativeMemory.AllocZeroed(Math.Max(size, 1u));
        ByPointer[Address] = this;
    }

    /// <summary>Device extensions allocated and not yet freed (all drivers).</summary>
    internal static int LiveCount => ByPointer.Count;

    /// <summary>The native address the driver sees.</summary>
    public nint Address { get; private set; }

    /// <summary>Bytes allocated.</summary>
    public uint Size { get; }

    /// <summary>The extension at <paramref name="pointer"/>, or null for an address no native host allocated.</summary>
    internal static NativeDeviceExtension? Find(nint pointer) => pointer != 0 && ByPointer.TryGetValue(pointer, out var e) ? e : null;

    /// <summary>Frees the native memory (the driver is being unloaded; no call may use it afterwards).</summary>
    internal unsafe void Free()
    {
        if (Address != 0 && ByPointer.TryRemove(Address, out _))
        {
            NativeMemory.Free((void*)Address);
            Address = 0;
        }
    }
}
