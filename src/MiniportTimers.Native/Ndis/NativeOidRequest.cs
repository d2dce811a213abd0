using System.Runtime.InteropServices;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// One NDIS_OID_REQUEST in native memory (native/include/ndis/miniport.h, 240 bytes on x64) built from the host's
/// <see cref="NDIS_OID_REQUEST"/>, with its information buffer. The miniport answers in place; the answer is copied back
/// when the request completes (at once, or at NdisMOidRequestComplete after NDIS_STATUS_PENDING), and the memory freed.
/// </summary>
internal sealed unsafe class NativeOidRequest
{
    private const int Size = 240;
    private const byte NDIS_OBJECT_TYPE_OID_REQUEST = 0x96;

    private readonly byte* _buffer;

    public NativeOidRequest(NDIS_OID_REQUEST managed, NdisMiniportAdapter? adapter)
    {
        Managed = managed;
        Adapter = adapter;
        var length = managed.InformationBuffer.Length;
        _buffer = length == 0 ? null : (byte*)NativeMemory.AllocZeroed((nuint)length);
        managed.InformationBuffer.Span.CopyTo(new Span<byte>(_buffer, length));
        var r = (byte*)NativeMemory.AllocZeroed(Size);
        Address = (nint)r;
        r[0] = NDIS_OBJECT_TYPE_OID_REQUEST;
        r[1] = 1; // NDIS_OID_REQUEST_REVISION_1
        *(ushort*)(r + 2) = Size;
        *(uint*)(r + 4) = managed.RequestType;
        *(uint*)(r + 8) = managed.PortNumber;
        *(nint*)(r + 16) = Address; // RequestId: unique per request
        *(uint*)(r + 32) = managed.Oid;
        *(nint*)(r + 40) = (nint)_buffer;
        if (IsMethod)
        {
            *(uint*)(r + 48) = managed.InputBufferLength;
            *(uint*)(r + 52) = (uint)length;
            *(uint*)(r + 56) = managed.MethodId;
        }
        else
        {
            *(uint*)(r + 48) = (uint)length;
        }
    }

    public NDIS_OID_REQUEST Managed { get; }

    /// <summary>The adapter the request was made to (null when the host called MiniportOidRequest outside an adapter's routine).</summary>
    public NdisMiniportAdapter? Adapter { get; }

    /// <summary>The C request's address (what MiniportOidRequest receives).</summary>
    public nint Address { get; }

    private bool IsMethod => Managed.RequestType == NdisApi.NdisRequestMethod;

    /// <summary>Copies the miniport's answer (counts and buffer) into the host's request and frees the native memory.</summary>
    public void CopyBackAndFree()
    {
        var r = (byte*)Address;
        if (IsMethod)
        {
            (Managed.BytesWritten, Managed.BytesRead, Managed.BytesNeeded) = (*(uint*)(r + 60), *(uint*)(r + 64), *(uint*)(r + 68));
        }
        else if (Managed.RequestType == NdisApi.NdisRequestSetInformation)
        {
            (Managed.BytesRead, Managed.BytesNeeded) = (*(uint*)(r + 52), *(uint*)(r + 56));
        }
        else
        {
            (Managed.BytesWritten, Managed.BytesNeeded) = (*(uint*)(r + 52), *(uint*)(r + 56));
        }

        var length = Managed.InformationBuffer.Length;
        new ReadOnlySpan<byte>(_buffer, length).CopyTo(Managed.InformationBuffer.Span);
        Free();
    }

    /// <summary>Frees the native memory without copying the answer back (the request's adapter is gone).</summary>
    public void Free()
    {
        NativeMemory.Free(_buffer);
        NativeMemory.Free((void*)Address);
    }
}
