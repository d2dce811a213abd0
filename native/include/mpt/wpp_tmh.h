/*
 * MiniportTimers: what a driver's generated WPP header (foo.tmh) becomes when there is no WPP preprocessor. The build
 * scripts create each foo.tmh the driver includes as a one-line file including this one. The control GUID's bits
 * (WPP_DEFINE_BIT(MP_TRACE) ...) become an enum, so a trace call's level names compile; the trace function itself
 * (named in the driver's project, e.g. DEBUGP(LEVEL,MSG,...)) is mapped onto DbgPrintEx by the script with -D.
 */
#ifndef MPT_WPP_TMH_EXPANDED
#define MPT_WPP_TMH_EXPANDED
#ifdef WPP_CONTROL_GUIDS
#define WPP_DEFINE_CONTROL_GUID(Name, Guid, Bits) enum { Bits MptWppBitsEnd_##Name };
#define WPP_DEFINE_BIT(Name) Name,
WPP_CONTROL_GUIDS
#undef WPP_DEFINE_BIT
#undef WPP_DEFINE_CONTROL_GUID
#endif
#endif
