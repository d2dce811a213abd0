/*
 * MiniportTimers: the Storport routines the shim implements in C (native/ddi/ddis.json, side "shim", file
 * mpt_storport.c): memory copies, and the ETW and telemetry routines, which Windows sends to an event trace session
 * and the emulation writes to the driver's debug output instead (one line per event: its id, level, opcode,
 * description and named parameters), so a test or the report can see what the driver traced.
 */
#include <stdio.h>
#include <string.h>
#include "mpt_internal.h"

VOID StorPortCopyMemory(PVOID WriteBuffer, PVOID ReadBuffer, ULONG Length) { memmove(WriteBuffer, ReadBuffer, Length); }
VOID StorPortMoveMemory(PVOID WriteBuffer, PVOID ReadBuffer, ULONG Length) { memmove(WriteBuffer, ReadBuffer, Length); }

/* A UTF-16 string (PWSTR, 16-bit WCHAR) as ASCII for the debug output: other characters become '?'. */
static size_t mpt_append_wide(char *out, size_t at, size_t size, PCWSTR text)
{
    if (text == NULL) {
        return at;
    }
    for (; *text != 0 && at + 1 < size; text++) {
        out[at++] = (*text >= 0x20 && *text < 0x7F) ? (char)*text : '?';
    }
    out[at] = 0;
    return at;
}

/* Ends the line at `at` (truncating its last character if full) and writes it to the driver's debug output. */
static ULONG mpt_emit_line(char *line, size_t at, size_t size)
{
    if (at + 1 < size) {
        line[at++] = '\n';
        line[at] = 0;
    } else {
        line[size - 2] = '\n';
        line[size - 1] = 0;
    }
    g_mpt->MptDebugPrint(DPFLTR_INFO_LEVEL, line);
    MPT_CHECK();
    return STOR_STATUS_SUCCESS;
}

static const char *mpt_etw_level_name(STORPORT_ETW_LEVEL level)
{
    static const char *const names[] = { "LogAlways", "Critical", "Error", "Warning", "Informational", "Verbose" };
    return (unsigned)level < sizeof names / sizeof names[0] ? names[level] : "?";
}

/* One ETW event as one debug-output line: "[etw] <channel> id=N level=L opcode=O keywords=0x.. "description" Name=0x.. ...". */
static ULONG mpt_etw_event(const char *channel, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel,
                           STORPORT_ETW_EVENT_OPCODE EventOpcode, int count, PWSTR const *names, const ULONGLONG *values)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "[etw] %s id=%lu level=%s opcode=%d keywords=0x%llx \"", channel, (unsigned long)EventId,
                     mpt_etw_level_name(EventLevel), (int)EventOpcode, (unsigned long long)EventKeywords);
    size_t at = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    at = mpt_append_wide(line, at, sizeof line, EventDescription);
    if (at + 1 < sizeof line) {
        line[at++] = '"';
        line[at] = 0;
    }
    for (int i = 0; i < count; i++) {
        if (names[i] == NULL || at + 2 >= sizeof line) {
            continue;
        }
        line[at++] = ' ';
        line[at] = 0;
        at = mpt_append_wide(line, at, sizeof line, names[i]);
        n = snprintf(line + at, sizeof line - at, "=0x%llx", (unsigned long long)values[i]);
        at += n < 0 ? 0 : (size_t)n < sizeof line - at ? (size_t)n : sizeof line - at - 1;
    }
    return mpt_emit_line(line, at, sizeof line);
}

static const char *mpt_etw_channel_name(STORPORT_ETW_EVENT_CHANNEL channel)
{
    return channel == StorportEtwEventOperational ? "operational" : channel == StorportEtwEventDiagnostic ? "diagnostic" : "channel?";
}

#define MPT_ETW_NAMES2 { Parameter1Name, Parameter2Name }
#define MPT_ETW_VALUES2 { Parameter1Value, Parameter2Value }
#define MPT_ETW_NAMES4 { Parameter1Name, Parameter2Name, Parameter3Name, Parameter4Name }
#define MPT_ETW_VALUES4 { Parameter1Value, Parameter2Value, Parameter3Value, Parameter4Value }
#define MPT_ETW_NAMES8 { Parameter1Name, Parameter2Name, Parameter3Name, Parameter4Name, Parameter5Name, Parameter6Name, Parameter7Name, Parameter8Name }
#define MPT_ETW_VALUES8 { Parameter1Value, Parameter2Value, Parameter3Value, Parameter4Value, Parameter5Value, Parameter6Value, Parameter7Value, Parameter8Value }

ULONG StorPortEtwEvent2(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value)
{
    (void)HwDeviceExtension; (void)Address; (void)Srb;
    PWSTR const names[] = MPT_ETW_NAMES2; const ULONGLONG values[] = MPT_ETW_VALUES2;
    return mpt_etw_event("event", EventId, EventDescription, EventKeywords, EventLevel, EventOpcode, 2, names, values);
}

ULONG StorPortEtwEvent4(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value, PWSTR Parameter3Name, ULONGLONG Parameter3Value, PWSTR Parameter4Name, ULONGLONG Parameter4Value)
{
    (void)HwDeviceExtension; (void)Address; (void)Srb;
    PWSTR const names[] = MPT_ETW_NAMES4; const ULONGLONG values[] = MPT_ETW_VALUES4;
    return mpt_etw_event("event", EventId, EventDescription, EventKeywords, EventLevel, EventOpcode, 4, names, values);
}

ULONG StorPortEtwEvent8(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value, PWSTR Parameter3Name, ULONGLONG Parameter3Value, PWSTR Parameter4Name, ULONGLONG Parameter4Value, PWSTR Parameter5Name, ULONGLONG Parameter5Value, PWSTR Parameter6Name, ULONGLONG Parameter6Value, PWSTR Parameter7Name, ULONGLONG Parameter7Value, PWSTR Parameter8Name, ULONGLONG Parameter8Value)
{
    (void)HwDeviceExtension; (void)Address; (void)Srb;
    PWSTR const names[] = MPT_ETW_NAMES8; const ULONGLONG values[] = MPT_ETW_VALUES8;
    return mpt_etw_event("event", EventId, EventDescription, EventKeywords, EventLevel, EventOpcode, 8, names, values);
}

ULONG StorPortEtwChannelEvent2(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, STORPORT_ETW_EVENT_CHANNEL EventChannel, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value)
{
    (void)HwDeviceExtension; (void)Address; (void)Srb;
    PWSTR const names[] = MPT_ETW_NAMES2; const ULONGLONG values[] = MPT_ETW_VALUES2;
    return mpt_etw_event(mpt_etw_channel_name(EventChannel), EventId, EventDescription, EventKeywords, EventLevel, EventOpcode, 2, names, values);
}

ULONG StorPortEtwChannelEvent4(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, STORPORT_ETW_EVENT_CHANNEL EventChannel, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value, PWSTR Parameter3Name, ULONGLONG Parameter3Value, PWSTR Parameter4Name, ULONGLONG Parameter4Value)
{
    (void)HwDeviceExtension; (void)Address; (void)Srb;
    PWSTR const names[] = MPT_ETW_NAMES4; const ULONGLONG values[] = MPT_ETW_VALUES4;
    return mpt_etw_event(mpt_etw_channel_name(EventChannel), EventId, EventDescription, EventKeywords, EventLevel, EventOpcode, 4, names, values);
}

ULONG StorPortEtwChannelEvent8(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, STORPORT_ETW_EVENT_CHANNEL EventChannel, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value, PWSTR Parameter3Name, ULONGLONG Parameter3Value, PWSTR Parameter4Name, ULONGLONG Parameter4Value, PWSTR Parameter5Name, ULONGLONG Parameter5Value, PWSTR Parameter6Name, ULONGLONG Parameter6Value, PWSTR Parameter7Name, ULONGLONG Parameter7Value, PWSTR Parameter8Name, ULONGLONG Parameter8Value)
{
    (void)HwDeviceExtension; (void)Address; (void)Srb;
    PWSTR const names[] = MPT_ETW_NAMES8; const ULONGLONG values[] = MPT_ETW_VALUES8;
    return mpt_etw_event(mpt_etw_channel_name(EventChannel), EventId, EventDescription, EventKeywords, EventLevel, EventOpcode, 8, names, values);
}

/* A telemetry event as one debug-output line: "[telemetry] <EventName> id=N Name0=0x.. ...". */
ULONG StorPortLogTelemetry(PVOID HwDeviceExtension, PSTOR_ADDRESS StorAddress, PSTORPORT_TELEMETRY_EVENT Event)
{
    (void)HwDeviceExtension; (void)StorAddress;
    if (Event == NULL) {
        return STOR_STATUS_INVALID_PARAMETER;
    }
    char line[1024];
    int n = snprintf(line, sizeof line, "[telemetry] %.*s id=%lu", (int)sizeof Event->EventName, (const char *)Event->EventName, (unsigned long)Event->EventId);
    size_t at = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    const UCHAR *names[8] = { Event->ParameterName0, Event->ParameterName1, Event->ParameterName2, Event->ParameterName3,
                              Event->ParameterName4, Event->ParameterName5, Event->ParameterName6, Event->ParameterName7 };
    const ULONGLONG values[8] = { Event->ParameterValue0, Event->ParameterValue1, Event->ParameterValue2, Event->ParameterValue3,
                                  Event->ParameterValue4, Event->ParameterValue5, Event->ParameterValue6, Event->ParameterValue7 };
    for (int i = 0; i < 8 && at + 1 < sizeof line; i++) {
        if (names[i][0] == 0) {
            continue;
        }
        n = snprintf(line + at, sizeof line - at, " %.*s=0x%llx", (int)EVENT_MAX_PARAM_NAME_LEN, (const char *)names[i], (unsigned long long)values[i]);
        at += n < 0 ? 0 : (size_t)n < sizeof line - at ? (size_t)n : sizeof line - at - 1;
    }
    return mpt_emit_line(line, at, sizeof line);
}

/* The buffer variants: Count accesses of the same register, each through the single-register routine (its side effects,
   its checks). */
#define MPT_REGISTER_BUFFER(Width, Type)                                                                               \
    VOID StorPortReadRegisterBuffer##Width(PVOID HwDeviceExtension, P##Type Register, P##Type Buffer, ULONG Count)    \
    {                                                                                                                  \
        for (ULONG i = 0; i < Count; i++) {                                                                            \
            Buffer[i] = StorPortReadRegister##Width(HwDeviceExtension, Register);                                      \
        }                                                                                                              \
    }                                                                                                                  \
    VOID StorPortWriteRegisterBuffer##Width(PVOID HwDeviceExtension, P##Type Register, P##Type Buffer, ULONG Count)   \
    {                                                                                                                  \
        for (ULONG i = 0; i < Count; i++) {                                                                            \
            StorPortWriteRegister##Width(HwDeviceExtension, Register, Buffer[i]);                                      \
        }                                                                                                              \
    }
MPT_REGISTER_BUFFER(Uchar, UCHAR)
MPT_REGISTER_BUFFER(Ushort, USHORT)
MPT_REGISTER_BUFFER(Ulong, ULONG)

STOR_PHYSICAL_ADDRESS StorPortConvertUlongToPhysicalAddress(ULONG_PTR UlongAddress)
{
    STOR_PHYSICAL_ADDRESS address;
    address.QuadPart = (LONGLONG)UlongAddress;
    return address;
}

/* ---- processors, groups and NUMA nodes: the emulated machine is one group and one node (node 0) holding the
   processors KeQueryActiveProcessorCountEx counts, so every answer here is derived from that one routine. ---- */

ULONG StorPortGetCurrentProcessorNumber(PVOID HwDeviceExtension, PPROCESSOR_NUMBER ProcNumber)
{
    (void)HwDeviceExtension;
    if (ProcNumber == NULL) {
        return STOR_STATUS_INVALID_PARAMETER;
    }
    KeGetCurrentProcessorNumberEx(ProcNumber);
    return STOR_STATUS_SUCCESS;
}

ULONG StorPortGetActiveGroupCount(PVOID HwDeviceExtension, PUSHORT NumActiveGroups)
{
    (void)HwDeviceExtension;
    if (NumActiveGroups == NULL) {
        return STOR_STATUS_INVALID_PARAMETER;
    }
    *NumActiveGroups = 1;
    return STOR_STATUS_SUCCESS;
}

/* One bit per active processor of group 0 (processors 0 .. n-1). */
static KAFFINITY mpt_group0_mask(void)
{
    ULONG count = KeQueryActiveProcessorCountEx(0);
    return count >= 64 ? ~(KAFFINITY)0 : (((KAFFINITY)1 << count) - 1);
}

ULONG StorPortGetGroupAffinity(PVOID HwDeviceExtension, USHORT GroupNumber, PKAFFINITY GroupAffinityMask)
{
    (void)HwDeviceExtension;
    if (GroupAffinityMask == NULL || GroupNumber != 0) {
        return STOR_STATUS_INVALID_PARAMETER;
    }
    *GroupAffinityMask = mpt_group0_mask();
    return STOR_STATUS_SUCCESS;
}

ULONG StorPortGetHighestNodeNumber(PVOID HwDeviceExtension, PULONG HighestNode)
{
    (void)HwDeviceExtension;
    if (HighestNode == NULL) {
        return STOR_STATUS_INVALID_PARAMETER;
    }
    *HighestNode = 0;
    return STOR_STATUS_SUCCESS;
}

ULONG StorPortGetNodeAffinity(PVOID HwDeviceExtension, ULONG NodeNumber, PGROUP_AFFINITY NodeAffinity)
{
    (void)HwDeviceExtension;
    if (NodeAffinity == NULL || NodeNumber != 0) {
        return STOR_STATUS_INVALID_PARAMETER;
    }
    memset(NodeAffinity, 0, sizeof *NodeAffinity);
    NodeAffinity->Mask = mpt_group0_mask();
    NodeAffinity->Group = 0;
    return STOR_STATUS_SUCCESS;
}

/* ---- registry buffers: the adapter's pool (zeroed; one not freed by removal is a finding, as pool is) ---- */

PUCHAR StorPortAllocateRegistryBuffer(PVOID HwDeviceExtension, PULONG Length)
{
    PVOID buffer = NULL;
    if (Length == NULL || *Length == 0) {
        return NULL;
    }
    if (StorPortAllocatePool(HwDeviceExtension, *Length, 'GERM' /* "MREG" in memory */, &buffer) != STOR_STATUS_SUCCESS) {
        return NULL;
    }
    return (PUCHAR)buffer;
}

VOID StorPortFreeRegistryBuffer(PVOID HwDeviceExtension, PUCHAR Buffer)
{
    if (Buffer != NULL) {
        StorPortFreePool(HwDeviceExtension, Buffer);
    }
}

/* ---- the error log: Windows writes an event-log entry; here one line of the driver's debug output ---- */

VOID StorPortLogError(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb, UCHAR PathId, UCHAR TargetId, UCHAR Lun, ULONG ErrorCode, ULONG UniqueId)
{
    (void)HwDeviceExtension;
    char line[160];
    int n = snprintf(line, sizeof line, "[error log] path %u target %u lun %u error 0x%08lx unique 0x%08lx%s", PathId, TargetId, Lun,
                     (unsigned long)ErrorCode, (unsigned long)UniqueId, Srb != NULL ? " (with a request)" : "");
    size_t at = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    mpt_emit_line(line, at, sizeof line);
}
