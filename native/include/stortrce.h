/*
 * MiniportTimers: the storage tracing library's initialisation block, which a Storport miniport's WPP_INIT_TRACING
 * (DriverObject, RegistryPath, &InitInfo) takes when the driver's WPP template is the Storport one (km-StorDefault.tpl).
 * No trace session exists here: WPP_INIT_TRACING is mpt/wpp_tmh.h's, which reads nothing of the block and leaves
 * TraceContext NULL, as when no tracing could be set up; the driver's cleanup routine is never called.
 */
#pragma once

#include "ntdef.h"

/* The library's context for a driver (NULL: no tracing). */
typedef PVOID STORAGE_TRACE_CONTEXT;

/* Called with the driver object when tracing is stopped. IRQL: PASSIVE_LEVEL. */
typedef VOID (*STOR_CLEANUP_TRACING)(PVOID Arg1);

typedef struct _STORAGE_TRACE_INIT_INFO {
    ULONG Size;                              /* bytes: sizeof(STORAGE_TRACE_INIT_INFO) */
    ULONG NumDiagEventRecords;               /* diagnostic contexts to allocate ahead (events at any IRQL) */
    ULONG DiagEventRecordUserDataSize;       /* bytes of caller data in each */
    ULONG NumErrorLogRecords;                /* error-log records to allocate ahead */
    GUID TraceGuid;
    STOR_CLEANUP_TRACING TraceCleanupRoutine;
    PVOID DriverObject;
    PVOID TraceContext;                      /* out: the library's context, NULL when there is none */
} STORAGE_TRACE_INIT_INFO, *PSTORAGE_TRACE_INIT_INFO;
C_ASSERT(FIELD_OFFSET(STORAGE_TRACE_INIT_INFO, TraceGuid) == 16 && FIELD_OFFSET(STORAGE_TRACE_INIT_INFO, TraceContext) == 48);
C_ASSERT(sizeof(STORAGE_TRACE_INIT_INFO) == 56);
