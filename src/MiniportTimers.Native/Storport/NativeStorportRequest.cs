using System.Runtime.InteropServices;
using MiniportTimers.Native.Interop;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Storport;

/// <summary>
/// The native side of one request: the SRB a native miniport sees (a SCSI_REQUEST_BLOCK, or a STORAGE_REQUEST_BLOCK
/// with its STOR_ADDR_BTL8 and one SRBEX_DATA block when the miniport registered SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK),
/// its SRB extension (device-reachable memory on an adapter with a device), and the STOR_SCATTER_GATHER_LIST the
/// miniport asked for. Built once per request before HwStorBuildIo, freed when the request completes
/// (<see cref="SCSI_REQUEST_BLOCK.PortContext"/>) or its adapter is removed.
/// </summary>
/// <remarks>
/// <para>Layout of an extended SRB (one allocation, 256 bytes): the STORAGE_REQUEST_BLOCK header (120 bytes, then one
/// SrbExDataOffset), the address at 128, the SRBEX_DATA block at 144 (SRBEX_DATA_SCSI_CDB16 for EXECUTE_SCSI,
/// SRBEX_DATA_PNP, SRBEX_DATA_POWER). The data buffer is the request's own memory, pinned and mapped in the device's
/// address map by the adapter (its physical address comes from the map).</para>
/// <para>Thread safety: a request belongs to the miniport between HwStorBuildIo and its completion; the host builds
/// and frees it outside that window.</para>
/// </remarks>
internal sealed unsafe class NativeStorportRequest : IDisposable
{
    /// <summary>SRB_FUNCTION_STORAGE_REQUEST_BLOCK (0x28).</summary>
    public const byte SRB_FUNCTION_STORAGE_REQUEST_BLOCK = 0x28;

    /// <summary>SRB_SIGNATURE ('SRBX').</summary>
    public const uint SRB_SIGNATURE = 0x53524258;

    /// <summary>SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK (HW_INITIALIZATION_DATA.SrbTypeFlags).</summary>
    public const uint SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK = 0x2;

    private const int ExtendedSize = 256;
    private const int AddressOffset = 128;
    private const int ExDataOffset = 144;
    private const uint SrbExDataTypeScsiCdb16 = 0x40;
    private const uint SrbExDataTypePower = 0x61;
    private const uint SrbExDataTypePnP = 0x62;

    private readonly NativeAdapterResources? _pool;
    private nint _srbExtension;
    private uint _srbExtensionSize;
    private nint _scatterGatherList;

    private NativeStorportRequest(SCSI_REQUEST_BLOCK request, bool extended, NativeAdapterResources? pool)
    {
        Request = request;
        IsExtended = extended;
        _pool = pool;
    }

    /// <summary>The host's request.</summary>
    public SCSI_REQUEST_BLOCK Request { get; }

    /// <summary>True for a STORAGE_REQUEST_BLOCK.</summary>
    public bool IsExtended { get; }

    /// <summary>The SRB the miniport is given.</summary>
    public nint Srb { get; private set; }

    /// <summary>Builds the native SRB for <paramref name="request"/>.</summary>
    /// <param name="request">The host's request.</param>
    /// <param name="extended">True to build a STORAGE_REQUEST_BLOCK.</param>
    /// <param name="srbExtensionSize">Bytes of SRB extension (0 for none).</param>
    /// <param name="pool">The adapter's resources when it has a device: the SRB extension is rented from its pool of
    /// device-reachable blocks (mapped once, zeroed at each rent); null for none (plain native memory).</param>
    /// <param name="port">The adapter's number, for STOR_ADDR_BTL8.Port.</param>
    public static NativeStorportRequest Build(SCSI_REQUEST_BLOCK request, bool extended, uint srbExtensionSize, NativeAdapterResources? pool, ushort port)
    {
        var native = new NativeStorportRequest(request, extended, pool);
        native._srbExtensionSize = srbExtensionSize;
        if (srbExtensionSize > 0)
        {
            if (pool is not null)
            {
                native._srbExtension = pool.RentSrbExtension(srbExtensionSize);
            }
            else
            {
                native._srbExtension = (nint)NativeMemory.AlignedAlloc(srbExtensionSize, 128);
                NativeMemory.Clear((void*)native._srbExtension, srbExtensionSize);
            }
        }

        var data = request.MappedDataBuffer?.HostAddress ?? 0;
        if (extended)
        {
            native.Srb = (nint)NativeMemory.AlignedAlloc(ExtendedSize, 16);
            NativeMemory.Clear((void*)native.Srb, ExtendedSize);
            native.FillExtended(data, port);
        }
        else
        {
            native.Srb = (nint)NativeMemory.AllocZeroed((nuint)sizeof(NativeScsiRequestBlock));
            native.FillClassic(data);
        }

        return native;
    }

    /// <summary>Sets the native SRB's status (StorPortCompleteRequest completes requests on the miniport's behalf).</summary>
    public void SetSrbStatus(byte srbStatus)
    {
        if (IsExtended)
        {
            ((NativeStorageRequestBlock*)Srb)->SrbStatus = srbStatus;
        }
        else
        {
            ((NativeScsiRequestBlock*)Srb)->SrbStatus = srbStatus;
        }
    }

    /// <summary>The SRB's status, SCSI status and transferred length, as the miniport left them, copied to the host's request.</summary>
    public void CopyResults()
    {
        if (IsExtended)
        {
            var srb = (NativeStorageRequestBlock*)Srb;
            Request.SrbStatus = srb->SrbStatus;
            Request.DataTransferLength = Math.Min(srb->DataTransferLength, Request.DataTransferLength);
            if (srb->SrbFunction == StorPort.SRB_FUNCTION_EXECUTE_SCSI)
            {
                Request.ScsiStatus = ((NativeSrbExDataScsiCdb16*)(Srb + ExDataOffset))->ScsiStatus;
            }
        }
        else
        {
            var srb = (NativeScsiRequestBlock*)Srb;
            Request.SrbStatus = srb->SrbStatus;
            Request.ScsiStatus = srb->ScsiStatus;
            if (Request.Function != StorPort.SRB_FUNCTION_PNP)
            {
                Request.DataTransferLength = Math.Min(srb->DataTransferLength, Request.DataTransferLength);
            }
        }
    }

    /// <summary>
    /// The request's STOR_SCATTER_GATHER_LIST (StorPortGetScatterGatherList): NumberOfElements at 0, then 24-byte
    /// elements from 16 (PhysicalAddress, Length); built on the first call, freed with the request.
    /// </summary>
    /// <returns>The list, or 0 for a request without a data buffer.</returns>
    public nint ScatterGatherList(IReadOnlyList<STOR_SCATTER_GATHER_ELEMENT>? elements)
    {
        if (_scatterGatherList != 0 || elements is null)
        {
            return _scatterGatherList;
        }

        var size = (nuint)(16 + (24 * Math.Max(elements.Count, 1)));
        var list = (byte*)NativeMemory.AllocZeroed(size);
        *(uint*)list = (uint)elements.Count;
        for (var i = 0; i < elements.Count; i++)
        {
            var element = list + 16 + (24 * i);
            *(ulong*)element = elements[i].PhysicalAddress;
            *(uint*)(element + 8) = elements[i].Length;
        }

        _scatterGatherList = (nint)list;
        return _scatterGatherList;
    }

    /// <summary>Frees the SRB, the SRB extension and the scatter-gather list. Idempotent.</summary>
    public void Dispose()
    {
        if (Srb != 0)
        {
            if (IsExtended)
            {
                NativeMemory.AlignedFree((void*)Srb);
            }
            else
            {
                NativeMemory.Free((void*)Srb);
            }

            Srb = 0;
        }

        if (_srbExtension != 0)
        {
            if (_pool is not null)
            {
                _pool.ReturnSrbExtension(_srbExtension, _srbExtensionSize);
            }
            else
            {
                NativeMemory.AlignedFree((void*)_srbExtension);
            }

            _srbExtension = 0;
        }

        if (_scatterGatherList != 0)
        {
            NativeMemory.Free((void*)_scatterGatherList);
            _scatterGatherList = 0;
        }
    }

    private void FillClassic(nint data)
    {
        var r = Request;
        var native = (NativeScsiRequestBlock*)Srb;
        native->Length = (ushort)sizeof(NativeScsiRequestBlock);
        native->Function = r.Function;
        native->PathId = r.PathId;
        native->TargetId = r.TargetId;
        native->Lun = r.Lun;
        native->SrbExtension = _srbExtension;
        native->OriginalRequest = Srb;
        if (r.Function == StorPort.SRB_FUNCTION_PNP)
        {
            native->PnPAction = (uint)r.PnPAction;
            *(uint*)(Srb + 64) = r.SrbPnPFlags; // SCSI_PNP_REQUEST_BLOCK.SrbPnPFlags
            return;
        }

        native->QueueTag = unchecked((byte)r.Tag); // a UCHAR: the low byte of the submitter's tag (a request number that passes 255 in any run of more than 255 requests; was an OverflowException, a 0x1E, in the 256th)
        native->SrbFlags = r.SrbFlags;
        native->TimeOutValue = r.TimeOutValueSeconds;
        native->DataTransferLength = r.DataTransferLength;
        native->DataBuffer = data;
        CopyCdb(native->Cdb, out var length);
        native->CdbLength = length;
    }

    private void FillExtended(nint data, ushort port)
    {
        var r = Request;
        var srb = (NativeStorageRequestBlock*)Srb;
        srb->Length = (ushort)sizeof(NativeScsiRequestBlock);
        srb->Function = SRB_FUNCTION_STORAGE_REQUEST_BLOCK;
        srb->Signature = SRB_SIGNATURE;
        srb->Version = 1; // STORAGE_REQUEST_BLOCK_VERSION_1
        srb->SrbLength = ExtendedSize;
        srb->SrbFunction = r.Function;
        srb->SrbFlags = r.SrbFlags;
        srb->RequestTag = unchecked((uint)r.Tag); // a ULONG: the low 32 bits of the submitter's tag
        srb->TimeOutValue = r.TimeOutValueSeconds;
        srb->DataTransferLength = r.Function == StorPort.SRB_FUNCTION_PNP ? 0 : r.DataTransferLength;
        srb->DataBuffer = data;
        srb->OriginalRequest = Srb; // stands for the IRP: never null for a request from above
        srb->MiniportContext = _srbExtension;
        srb->AddressOffset = AddressOffset;
        var address = (NativeStorAddrBtl8*)(Srb + AddressOffset);
        address->Type = 1; // STOR_ADDRESS_TYPE_BTL8
        address->Port = port;
        address->AddressLength = 4; // STOR_ADDR_BTL8_ADDRESS_LENGTH
        address->Path = r.PathId;
        address->Target = r.TargetId;
        address->Lun = r.Lun;
        srb->NumSrbExData = 1;
        srb->SrbExDataOffset0 = ExDataOffset;
        switch (r.Function)
        {
            case StorPort.SRB_FUNCTION_PNP:
                var pnp = (NativeSrbExDataPnp*)(Srb + ExDataOffset);
                pnp->Type = SrbExDataTypePnP;
                pnp->Length = (uint)(sizeof(NativeSrbExDataPnp) - 8);
                pnp->PnPAction = (uint)r.PnPAction;
                pnp->SrbPnPFlags = r.SrbPnPFlags;
                break;
            case StorPort.SRB_FUNCTION_POWER:
                var power = (NativeSrbExDataPower*)(Srb + ExDataOffset);
                power->Type = SrbExDataTypePower;
                power->Length = (uint)(sizeof(NativeSrbExDataPower) - 8);
                power->DevicePowerState = (uint)r.DevicePowerState + 1; // DEVICE_POWER_STATE: PowerDeviceD0 = 1
                break;
            default:
                var cdb = (NativeSrbExDataScsiCdb16*)(Srb + ExDataOffset);
                cdb->Type = SrbExDataTypeScsiCdb16;
                cdb->Length = (uint)(sizeof(NativeSrbExDataScsiCdb16) - 8);
                CopyCdb(cdb->Cdb, out var length);
                cdb->CdbLength = length;
                break;
        }
    }

    private void CopyCdb(byte* destination, out byte length)
    {
        if (Request.Cdb is { } cdb)
        {
            cdb.CopyTo(new Span<byte>(destination, 16));
            length = (byte)cdb.Length;
        }
        else
        {
            destination[0] = Request.CdbOperationCode;
            length = 16;
        }
    }
}
