/*
 * MiniportTimers: the event-trace levels a driver's WPP or ETW tracing names (evntrace.h reference, "TRACE_LEVEL_*";
 * the same numbers as EVENT_TRACE's Level). Only the levels: no trace session exists here (mpt/wpp_tmh.h).
 */
#pragma once

#define TRACE_LEVEL_NONE 0        /* tracing is not on */
#define TRACE_LEVEL_CRITICAL 1    /* abnormal exit or termination */
#define TRACE_LEVEL_FATAL 1       /* the older name of CRITICAL */
#define TRACE_LEVEL_ERROR 2       /* severe errors */
#define TRACE_LEVEL_WARNING 3     /* warnings such as allocation failures */
#define TRACE_LEVEL_INFORMATION 4 /* non-error events (entry and exit, for example) */
#define TRACE_LEVEL_VERBOSE 5     /* detailed traces from intermediate steps */
#define TRACE_LEVEL_RESERVED6 6
#define TRACE_LEVEL_RESERVED7 7
#define TRACE_LEVEL_RESERVED8 8
#define TRACE_LEVEL_RESERVED9 9
