/*
 * A Storport miniport written by the MiniportTimers project to drive one defect of issue 21 §5 through the C surface:
 * DPC-level routines that return at another IRQL than they were called at. A StorPortRequestTimer callback and a
 * StorPort DPC raise to HIGH_LEVEL and return; the legacy HwStorTimer lowers to PASSIVE_LEVEL and returns; an EX_TIMER
 * callback raises and returns; one callback raises and lowers again (legal). The tests drive it through HwStorStartIo:
 * the first CDB byte is a command of this file's own (CSD_CMD_*). Reports with DbgPrint.
 */
#include <storport.h>

#define CSD_CMD_RAISING_TIMER   0x01 /* StorPortRequestTimer, 1 ms: the callback returns at HIGH_LEVEL */
#define CSD_CMD_LOWERING_LEGACY 0x02 /* RequestTimerCall, 1 ms: HwStorTimer returns at PASSIVE_LEVEL */
#define CSD_CMD_RAISING_DPC     0x03 /* StorPortIssueDpc: the DPC routine returns at HIGH_LEVEL */
#define CSD_CMD_RAISING_EX      0x04 /* ExSetTimer, 1 ms: the EX_TIMER callback returns at HIGH_LEVEL */
#define CSD_CMD_BALANCED_TIMER  0x05 /* StorPortRequestTimer, 1 ms: the callback raises and lowers again */

typedef struct _CSD_EXTENSION {
    PVOID Timer;
    STOR_DPC Dpc;
    PEX_TIMER ExTimer;
} CSD_EXTENSION, *PCSD_EXTENSION;

static VOID CsdRaisingTimer(PVOID DeviceExtension, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(DeviceExtension);
    UNREFERENCED_PARAMETER(Context);
    KeRaiseIrql(HIGH_LEVEL, &old);
    DbgPrint("CsdRaisingTimer returns at irql %u, called at %u\n", (ULONG)KeGetCurrentIrql(), (ULONG)old);
}

static VOID CsdBalancedTimer(PVOID DeviceExtension, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(DeviceExtension);
    UNREFERENCED_PARAMETER(Context);
    KeRaiseIrql(HIGH_LEVEL, &old);
    KeLowerIrql(old);
    DbgPrint("CsdBalancedTimer returns at irql %u\n", (ULONG)KeGetCurrentIrql());
}

static VOID CsdLoweringLegacyTimer(PVOID DeviceExtension)
{
    UNREFERENCED_PARAMETER(DeviceExtension);
    KeLowerIrql(PASSIVE_LEVEL);
    DbgPrint("CsdLoweringLegacyTimer returns at irql %u\n", (ULONG)KeGetCurrentIrql());
}

static VOID CsdRaisingDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension, PVOID SystemArgument1, PVOID SystemArgument2)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(HwDeviceExtension);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeRaiseIrql(HIGH_LEVEL, &old);
    DbgPrint("CsdRaisingDpc returns at irql %u\n", (ULONG)KeGetCurrentIrql());
}

static VOID CsdRaisingExCallback(PEX_TIMER Timer, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Timer);
    UNREFERENCED_PARAMETER(Context);
    KeRaiseIrql(HIGH_LEVEL, &old);
    DbgPrint("CsdRaisingExCallback returns at irql %u\n", (ULONG)KeGetCurrentIrql());
}

static ULONG CsdFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, PBOOLEAN Reserved3)
{
    PCSD_EXTENSION ext = (PCSD_EXTENSION)DeviceExtension;
    UNREFERENCED_PARAMETER(HwContext);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(ArgumentString);
    UNREFERENCED_PARAMETER(Reserved3);
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    StorPortInitializeDpc(DeviceExtension, &ext->Dpc, CsdRaisingDpc);
    return StorPortInitializeTimer(DeviceExtension, &ext->Timer) == STOR_STATUS_SUCCESS ? SP_RETURN_FOUND : SP_RETURN_ERROR;
}

static BOOLEAN CsdInitialize(PVOID DeviceExtension)
{
    UNREFERENCED_PARAMETER(DeviceExtension);
    return TRUE;
}

static BOOLEAN CsdStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PCSD_EXTENSION ext = (PCSD_EXTENSION)DeviceExtension;
    if (Srb->Function == SRB_FUNCTION_EXECUTE_SCSI) {
        switch (Srb->Cdb[0]) {
        case CSD_CMD_RAISING_TIMER:
            StorPortRequestTimer(DeviceExtension, ext->Timer, CsdRaisingTimer, NULL, 1000, 0);
            break;
        case CSD_CMD_BALANCED_TIMER:
            StorPortRequestTimer(DeviceExtension, ext->Timer, CsdBalancedTimer, NULL, 1000, 0);
            break;
        case CSD_CMD_LOWERING_LEGACY:
            StorPortNotification(RequestTimerCall, DeviceExtension, CsdLoweringLegacyTimer, 1000);
            break;
        case CSD_CMD_RAISING_DPC:
            StorPortIssueDpc(DeviceExtension, &ext->Dpc, NULL, NULL);
            break;
        case CSD_CMD_RAISING_EX:
            ext->ExTimer = ExAllocateTimer(CsdRaisingExCallback, ext, 0);
            ExSetTimer(ext->ExTimer, -10000, 0, NULL);
            break;
        default:
            Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
            StorPortNotification(RequestComplete, DeviceExtension, Srb);
            return TRUE;
        }
    }
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, DeviceExtension, Srb);
    return TRUE;
}

static BOOLEAN CsdInterrupt(PVOID DeviceExtension)
{
    UNREFERENCED_PARAMETER(DeviceExtension);
    return FALSE;
}

static SCSI_ADAPTER_CONTROL_STATUS CsdAdapterControl(PVOID DeviceExtension, SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters)
{
    PCSD_EXTENSION ext = (PCSD_EXTENSION)DeviceExtension;
    UNREFERENCED_PARAMETER(Parameters);
    if (ControlType == ScsiStopAdapter && ext->Timer != NULL) {
        StorPortFreeTimer(DeviceExtension, ext->Timer);
        ext->Timer = NULL;
    }
    return ScsiAdapterControlSuccess;
}

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    HW_INITIALIZATION_DATA init;
    RtlZeroMemory(&init, sizeof init);
    init.HwInitializationDataSize = sizeof(HW_INITIALIZATION_DATA);
    init.AdapterInterfaceType = PCIBus;
    init.HwFindAdapter = CsdFindAdapter;
    init.HwInitialize = CsdInitialize;
    init.HwStartIo = CsdStartIo;
    init.HwInterrupt = CsdInterrupt;
    init.HwAdapterControl = CsdAdapterControl;
    init.DeviceExtensionSize = sizeof(CSD_EXTENSION);
    return StorPortInitialize(DriverObject, RegistryPath, &init, NULL);
}
