using System.Runtime.InteropServices;
using MiniportTimers.Native.Kernel;
using MiniportTimers.Native.Storport;

namespace MiniportTimers.Native.Interop;

/// <summary>The process-wide DDI table (native memory, written once, never freed): every loaded driver's shim points at it.</summary>
internal static unsafe class DdiTable
{
    private static readonly Lazy<nint> Table = new(Build);

    public static MptDdiTable* Address => (MptDdiTable*)Table.Value;

    private static nint Build()
    {
        var t = (MptDdiTable*)NativeMemory.AllocZeroed((nuint)sizeof(MptDdiTable));
        t->Size = (uint)sizeof(MptDdiTable);
        t->Version = MptDdiTable.CurrentVersion;
        StorportExports.Fill(t);
        KernelExports.Fill(t);
        Ndis.NdisExports.Fill(t);
        Ndis.NdisDataExports.Fill(t);
        return (nint)t;
    }
}
