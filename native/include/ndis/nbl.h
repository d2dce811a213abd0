/*
 * MiniportTimers: NET_BUFFER_LIST, NET_BUFFER and their pools, laid out as NDIS 6.0 lays them out on x64 (the
 * NET_BUFFER_LIST and NET_BUFFER reference pages). Pools, lists and MDLs are plain data-structure work, done in C
 * (native/shim/ndis_nbl.c); the host reads only Next, FirstNetBuffer and Status (offsets C_ASSERTed below and
 * mirrored in src/MiniportTimers.Native/Ndis/NativeNblLayout.cs).
 */
#pragma once

typedef ULONG NDIS_PORT_NUMBER, *PNDIS_PORT_NUMBER;
#define NDIS_DEFAULT_PORT_NUMBER ((NDIS_PORT_NUMBER)0)

typedef struct _NET_BUFFER NET_BUFFER, *PNET_BUFFER;
typedef struct _NET_BUFFER_LIST NET_BUFFER_LIST, *PNET_BUFFER_LIST;
typedef struct _NET_BUFFER_LIST_CONTEXT NET_BUFFER_LIST_CONTEXT, *PNET_BUFFER_LIST_CONTEXT;

struct _NET_BUFFER {
    union {
        struct {
            PNET_BUFFER Next;
            PMDL CurrentMdl;
            ULONG CurrentMdlOffset;
            union { ULONG DataLength; SIZE_T stDataLength; };
            PMDL MdlChain;
            ULONG DataOffset;
        };
        SLIST_HEADER Link;
    };
    USHORT ChecksumBias;
    USHORT Reserved;
    NDIS_HANDLE NdisPoolHandle;
    PVOID NdisReserved[2];
    PVOID ProtocolReserved[6];
    PVOID MiniportReserved[4];
    PHYSICAL_ADDRESS DataPhysicalAddress;
};
C_ASSERT(FIELD_OFFSET(NET_BUFFER, CurrentMdl) == 8 && FIELD_OFFSET(NET_BUFFER, DataLength) == 24 && FIELD_OFFSET(NET_BUFFER, MdlChain) == 32);
C_ASSERT(FIELD_OFFSET(NET_BUFFER, DataOffset) == 40 && FIELD_OFFSET(NET_BUFFER, MiniportReserved) == 128);

/* The per-NBL out-of-band slots (NET_BUFFER_LIST_INFO), in NDIS 6.0's order. */
typedef enum _NDIS_NET_BUFFER_LIST_INFO {
    TcpIpChecksumNetBufferListInfo,
    TcpOffloadBytesTransferred = TcpIpChecksumNetBufferListInfo,
    IPsecOffloadV1NetBufferListInfo,
    TcpLargeSendNetBufferListInfo,
    TcpReceiveNoPush = TcpLargeSendNetBufferListInfo,
    ClassificationHandleNetBufferListInfo,
    Ieee8021QNetBufferListInfo,
    NetBufferListCancelId,
    MediaSpecificInformation,
    NetBufferListFrameType,
    NetBufferListProtocolId = NetBufferListFrameType,
    NetBufferListHashValue,
    NetBufferListHashInfo,
    WfpNetBufferListInfo,
    MaxNetBufferListInfo
} NDIS_NET_BUFFER_LIST_INFO;

struct _NET_BUFFER_LIST {
    union {
        struct {
            PNET_BUFFER_LIST Next;
            PNET_BUFFER FirstNetBuffer;
        };
        SLIST_HEADER Link;
    };
    PNET_BUFFER_LIST_CONTEXT Context;
    PNET_BUFFER_LIST ParentNetBufferList;
    NDIS_HANDLE NdisPoolHandle;
    /* Each reserved array starts on a MEMORY_ALLOCATION_ALIGNMENT (16-byte) boundary on x64, so NdisReserved sits at
       48, not 40, and everything after it is 8 bytes further on than plain packing would put it. */
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID NdisReserved[2];
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID ProtocolReserved[4];
    DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) PVOID MiniportReserved[2];
    PVOID Scratch;
    NDIS_HANDLE SourceHandle;
    ULONG NblFlags;
    LONG ChildRefCount;
    ULONG Flags;
    union { NDIS_STATUS Status; ULONG NdisReserved2; };
    PVOID NetBufferListInfo[MaxNetBufferListInfo];
};
C_ASSERT(FIELD_OFFSET(NET_BUFFER_LIST, FirstNetBuffer) == 8 && FIELD_OFFSET(NET_BUFFER_LIST, NdisPoolHandle) == 32);
C_ASSERT(FIELD_OFFSET(NET_BUFFER_LIST, NdisReserved) == 48 && FIELD_OFFSET(NET_BUFFER_LIST, ProtocolReserved) == 64);
C_ASSERT(FIELD_OFFSET(NET_BUFFER_LIST, MiniportReserved) == 96 && FIELD_OFFSET(NET_BUFFER_LIST, Scratch) == 112);
C_ASSERT(FIELD_OFFSET(NET_BUFFER_LIST, SourceHandle) == 120 && FIELD_OFFSET(NET_BUFFER_LIST, NblFlags) == 128);
C_ASSERT(FIELD_OFFSET(NET_BUFFER_LIST, ChildRefCount) == 132 && FIELD_OFFSET(NET_BUFFER_LIST, Flags) == 136);
C_ASSERT(FIELD_OFFSET(NET_BUFFER_LIST, Status) == 140 && FIELD_OFFSET(NET_BUFFER_LIST, NetBufferListInfo) == 144);

/* 802.1Q tag in NetBufferListInfo[Ieee8021QNetBufferListInfo]. */
typedef struct _NDIS_NET_BUFFER_LIST_8021Q_INFO {
    union {
        struct { UINT32 UserPriority : 3; UINT32 CanonicalFormatId : 1; UINT32 VlanId : 12; UINT32 Reserved : 16; } TagHeader;
        struct { UINT32 UserPriority : 3; UINT32 CanonicalFormatId : 1; UINT32 VlanId : 12; UINT32 WMMInfo : 4; UINT32 Reserved : 12; } WLanTagHeader;
        PVOID Value;
    };
} NDIS_NET_BUFFER_LIST_8021Q_INFO, *PNDIS_NET_BUFFER_LIST_8021Q_INFO;

#define NET_BUFFER_LIST_NEXT_NBL(Nbl) ((Nbl)->Next)
#define NET_BUFFER_LIST_FIRST_NB(Nbl) ((Nbl)->FirstNetBuffer)
#define NET_BUFFER_LIST_FLAGS(Nbl) ((Nbl)->Flags)
#define NET_BUFFER_LIST_NBL_FLAGS(Nbl) ((Nbl)->NblFlags)
#define NET_BUFFER_LIST_MINIPORT_RESERVED(Nbl) ((Nbl)->MiniportReserved)
#define NET_BUFFER_LIST_STATUS(Nbl) ((Nbl)->Status)
#define NET_BUFFER_LIST_INFO(Nbl, Id) ((Nbl)->NetBufferListInfo[(Id)])
#define NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(Nbl) (NET_BUFFER_LIST_INFO(Nbl, NetBufferListCancelId))
#define NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(Nbl, Id) (NET_BUFFER_LIST_INFO(Nbl, NetBufferListCancelId) = (Id))
#define NET_BUFFER_NEXT_NB(Nb) ((Nb)->Next)
#define NET_BUFFER_FIRST_MDL(Nb) ((Nb)->MdlChain)
#define NET_BUFFER_DATA_LENGTH(Nb) ((Nb)->DataLength)
#define NET_BUFFER_DATA_OFFSET(Nb) ((Nb)->DataOffset)
#define NET_BUFFER_CURRENT_MDL(Nb) ((Nb)->CurrentMdl)
#define NET_BUFFER_CURRENT_MDL_OFFSET(Nb) ((Nb)->CurrentMdlOffset)
#define NET_BUFFER_MINIPORT_RESERVED(Nb) ((Nb)->MiniportReserved)

/* ---- pools ---- */
#define NDIS_OBJECT_TYPE_DEFAULT 0x80
#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 1
#define NET_BUFFER_POOL_PARAMETERS_REVISION_1 1
typedef struct _NET_BUFFER_LIST_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header;        /* NDIS_OBJECT_TYPE_DEFAULT, revision 1 */
    UCHAR ProtocolId;                  /* NDIS_PROTOCOL_ID_DEFAULT */
    BOOLEAN fAllocateNetBuffer;        /* each NBL comes with one NET_BUFFER */
    USHORT ContextSize;                /* bytes of NET_BUFFER_LIST_CONTEXT, a multiple of 8 (not allocated here: 0 only) */
    ULONG PoolTag;
    ULONG DataSize;                    /* bytes of data per NET_BUFFER allocated with it (0: none) */
} NET_BUFFER_LIST_POOL_PARAMETERS, *PNET_BUFFER_LIST_POOL_PARAMETERS;
#define NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 ((USHORT)RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize))
#define NDIS_PROTOCOL_ID_DEFAULT 0x00
#define NDIS_PROTOCOL_ID_TCP_IP 0x02

/* IRQL <= DISPATCH_LEVEL. NULL when the parameters are invalid or memory is short. */
NDIS_HANDLE NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle, PNET_BUFFER_LIST_POOL_PARAMETERS Parameters);
/* Every NBL of the pool must be back first (else bug check 0xC4, as Driver Verifier's NDIS checks do). */
VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle);
/* An NBL from a pool created with fAllocateNetBuffer, with one NET_BUFFER over MdlChain. NULL when short. */
PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill, PMDL MdlChain, ULONG DataOffset, SIZE_T DataLength);
/* An NBL without NET_BUFFERs (a pool created without fAllocateNetBuffer). */
PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill);
VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList);
/* An MDL over VirtualAddress..+Length (resident memory), NULL when short. IRQL <= DISPATCH_LEVEL. */
PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length);
VOID NdisFreeMdl(PMDL Mdl);
/* BytesNeeded contiguous bytes at the NET_BUFFER's data start: a pointer into the MDL when they are contiguous there,
   else copied into Storage (NULL when Storage is NULL or the data is shorter). */
PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage, UINT AlignMultiple, UINT AlignOffset);
