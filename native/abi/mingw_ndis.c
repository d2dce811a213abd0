/*
 * The ABI check's reference side for ndis.h and the headers under ndis/: mingw-w64's ndis.h as an NDIS 6.20
 * miniport that also sees the NDIS 5 surface (NDIS_LEGACY_DRIVER), as our ndis.h declares both (ours.c is built
 * with -DNDIS620_MINIPORT to match).
 */
#define NDIS_MINIPORT_DRIVER 1
#define NDIS620_MINIPORT 1
#define NDIS_LEGACY_DRIVER 1
/* ntddndis.h is included first below, so it decides NDIS_SUPPORT_NDIS6/61/620; this makes it decide as ndis.h would. */
#define UM_NDIS620 1
#include <ntddk.h>

/* mingw-w64 10.0's ndis.h does not compile as it is shipped; two workarounds, neither of which changes a layout:
   - ntddndis.h (which ndis.h includes) and ndis.h both define enum _NDIS_REQUEST_TYPE. Include ntddndis.h first
     and give ndis.h's second, identical copy other names, so the first one's names are the ones compared. */
#include <ntddndis.h>
#define _NDIS_REQUEST_TYPE mpt_abi_second_NDIS_REQUEST_TYPE_tag
#define NDIS_REQUEST_TYPE mpt_abi_second_NDIS_REQUEST_TYPE
#define PNDIS_REQUEST_TYPE mpt_abi_second_PNDIS_REQUEST_TYPE
#define NdisRequestQueryInformation mpt_abi_second_0
#define NdisRequestSetInformation mpt_abi_second_1
#define NdisRequestQueryStatistics mpt_abi_second_2
#define NdisRequestOpen mpt_abi_second_3
#define NdisRequestClose mpt_abi_second_4
#define NdisRequestSend mpt_abi_second_5
#define NdisRequestTransferData mpt_abi_second_6
#define NdisRequestReset mpt_abi_second_7
#define NdisRequestGeneric1 mpt_abi_second_8
#define NdisRequestGeneric2 mpt_abi_second_9
#define NdisRequestGeneric3 mpt_abi_second_10
#define NdisRequestGeneric4 mpt_abi_second_11
#define NdisRequestMethod mpt_abi_second_12
/* - one WAN prototype lacks a comma between its parameters; that routine is no part of ours, so its declaration is
     replaced by one of another name. */
#define NdisMWanIndicateReceiveComplete(...) mpt_abi_unparsable_NdisMWanIndicateReceiveComplete(void)
#include <ndis.h>
#undef _NDIS_REQUEST_TYPE
#undef NDIS_REQUEST_TYPE
#undef PNDIS_REQUEST_TYPE
#undef NdisRequestQueryInformation
#undef NdisRequestSetInformation
#undef NdisRequestQueryStatistics
#undef NdisRequestOpen
#undef NdisRequestClose
#undef NdisRequestSend
#undef NdisRequestTransferData
#undef NdisRequestReset
#undef NdisRequestGeneric1
#undef NdisRequestGeneric2
#undef NdisRequestGeneric3
#undef NdisRequestGeneric4
#undef NdisRequestMethod
#undef NdisMWanIndicateReceiveComplete

#ifdef ABI_ITEMS
#include ABI_ITEMS
#endif
