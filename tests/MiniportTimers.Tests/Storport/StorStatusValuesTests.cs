using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport;

/// <summary>semantics.md §0.1 and §0.4: every STOR_STATUS value and enumeration number, as the headers give them.</summary>
public class StorStatusValuesTests
{
    [Fact]
    public void StorStatus_AllValues_MatchStorportH()
    {
        Assert.Equal(
            [0x00000000u, 0xC1000001, 0xC1000002, 0xC1000003, 0xC1000004, 0xC1000005, 0xC1000006, 0xC1000007, 0xC1000008, 0xC1000009, 0xC100000A, 0xC100000B, 0xC100000C],
            [STOR_STATUS_SUCCESS, STOR_STATUS_UNSUCCESSFUL, STOR_STATUS_NOT_IMPLEMENTED, STOR_STATUS_INSUFFICIENT_RESOURCES, STOR_STATUS_BUFFER_TOO_SMALL, STOR_STATUS_ACCESS_DENIED, STOR_STATUS_INVALID_PARAMETER, STOR_STATUS_INVALID_DEVICE_REQUEST, STOR_STATUS_INVALID_IRQL, STOR_STATUS_INVALID_DEVICE_STATE, STOR_STATUS_INVALID_BUFFER_SIZE, STOR_STATUS_UNSUPPORTED_VERSION, STOR_STATUS_BUSY]);
    }

    [Fact]
    public void StorStatusName_KnownAndUnknown()
    {
        Assert.Equal("STOR_STATUS_BUSY", StorStatusName(0xC100000C));
        Assert.Equal("0x12345678", StorStatusName(0x12345678));
    }

    [Fact]
    public void Enumerations_MatchTheHeaders()
    {
        Assert.Equal(6, (int)RequestTimerCall);
        Assert.Equal((32, 33, 34), ((int)STORPORT_FUNCTION_CODE.ExtFunctionInitializeTimer, (int)STORPORT_FUNCTION_CODE.ExtFunctionRequestTimer, (int)STORPORT_FUNCTION_CODE.ExtFunctionFreeTimer));
        Assert.Equal((1, 2, 3), ((int)DpcLock, (int)StartIoLock, (int)InterruptLock));
        Assert.Equal((0, 1), ((int)StorSynchronizeHalfDuplex, (int)StorSynchronizeFullDuplex));
        Assert.Equal(0x2u, STOR_PERF_CONCURRENT_CHANNELS);
        Assert.Equal((0, 1, 2), ((int)SCSI_ADAPTER_CONTROL_TYPE.ScsiQuerySupportedControlTypes, (int)SCSI_ADAPTER_CONTROL_TYPE.ScsiStopAdapter, (int)SCSI_ADAPTER_CONTROL_TYPE.ScsiRestartAdapter));
    }
}
