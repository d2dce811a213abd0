/*
 * MiniportTimers: NET_BUFFER_LIST pools, NET_BUFFER_LISTs, NET_BUFFERs and MDLs, in C (plain data-structure work;
 * ndis/nbl.h). An NBL and its NET_BUFFER are one heap block; the pool counts what is out, and freeing a pool with NBLs
 * out is a bug check (0xC4), as Driver Verifier's NDIS checks make it. The host builds the NBLs it sends with
 * MptAllocateSendNetBufferList and frees them when they complete (mpt_bridge.h).
 *
 * Synchronization: the pool's count is atomic; an NBL belongs to one owner at a time (the NDIS ownership rules).
 */
#include <stdlib.h>
#include <string.h>
#include "mpt_bridge.h"

#define MPT_DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4
#define MPT_NBL_POOL_MAGIC 0x4C424E4Du /* 'MNBL' */

typedef struct mpt_nbl_pool {
    ULONG Magic;
    NET_BUFFER_LIST_POOL_PARAMETERS Parameters;
    LONG Outstanding;
} mpt_nbl_pool;

struct _NET_BUFFER_LIST_CONTEXT {
    PNET_BUFFER_LIST_CONTEXT Next;
    USHORT Size;
    USHORT Offset;
    UCHAR ContextData[] __attribute__((aligned(16)));
};

typedef struct mpt_nbl_block {
    NET_BUFFER_LIST Nbl;
    NET_BUFFER Nb;
} mpt_nbl_block;

static mpt_nbl_pool *mpt_pool(NDIS_HANDLE handle, const char *routine)
{
    mpt_nbl_pool *pool = handle;
    if (pool == NULL || pool->Magic != MPT_NBL_POOL_MAGIC) {
        /* Not a pool handle: 0xC4, P2 the handle. */
        DbgPrint("MiniportTimers: %s: 0x%p is not a NET_BUFFER_LIST pool handle\n", routine, handle);
        KeBugCheckEx(MPT_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)handle, 0, 0);
    }
    return pool;
}

NDIS_HANDLE NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle, PNET_BUFFER_LIST_POOL_PARAMETERS Parameters)
{
    (void)NdisHandle;
    if (Parameters == NULL || Parameters->Header.Type != NDIS_OBJECT_TYPE_DEFAULT || Parameters->Header.Revision < NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1
        || Parameters->Header.Size < NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 || Parameters->ContextSize % 8 != 0) {
        return NULL;
    }
    mpt_nbl_pool *pool = calloc(1, sizeof *pool);
    if (pool != NULL) {
        pool->Magic = MPT_NBL_POOL_MAGIC;
        pool->Parameters = *Parameters;
    }
    return pool;
}

VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle)
{
    mpt_nbl_pool *pool = mpt_pool(PoolHandle, "NdisFreeNetBufferListPool");
    if (pool->Outstanding != 0) {
        DbgPrint("MiniportTimers: NdisFreeNetBufferListPool: %d NET_BUFFER_LISTs of the pool are still allocated\n", pool->Outstanding);
        KeBugCheckEx(MPT_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1001, (ULONG_PTR)PoolHandle, (ULONG_PTR)pool->Outstanding, 0);
    }
    pool->Magic = 0;
    free(pool);
}

/* Points the NET_BUFFER's current MDL at DataOffset into the chain. */
static void mpt_seek(PNET_BUFFER nb)
{
    PMDL mdl = nb->MdlChain;
    ULONG offset = nb->DataOffset;
    while (mdl != NULL && offset >= mdl->ByteCount && mdl->Next != NULL) {
        offset -= mdl->ByteCount;
        mdl = mdl->Next;
    }
    nb->CurrentMdl = mdl;
    nb->CurrentMdlOffset = offset;
}

static PNET_BUFFER_LIST mpt_allocate(mpt_nbl_pool *pool, USHORT ContextSize, USHORT ContextBackFill, BOOLEAN withNetBuffer)
{
    mpt_nbl_block *block = calloc(1, sizeof *block);
    if (block == NULL) {
        return NULL;
    }
    PNET_BUFFER_LIST nbl = &block->Nbl;
    nbl->NdisPoolHandle = pool;
    nbl->Status = NDIS_STATUS_SUCCESS;
    USHORT contextBytes = (USHORT)(ContextSize + ContextBackFill + pool->Parameters.ContextSize);
    if (contextBytes != 0) {
        PNET_BUFFER_LIST_CONTEXT context = calloc(1, sizeof *context + contextBytes);
        if (context == NULL) {
            free(block);
            return NULL;
        }
        context->Size = contextBytes;
        context->Offset = (USHORT)(contextBytes - ContextSize - pool->Parameters.ContextSize);
        nbl->Context = context;
    }
    if (withNetBuffer) {
        nbl->FirstNetBuffer = &block->Nb;
        block->Nb.NdisPoolHandle = pool;
    }
    __atomic_add_fetch(&pool->Outstanding, 1, __ATOMIC_RELAXED);
    return nbl;
}

PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill, PMDL MdlChain, ULONG DataOffset, SIZE_T DataLength)
{
    mpt_nbl_pool *pool = mpt_pool(PoolHandle, "NdisAllocateNetBufferAndNetBufferList");
    if (!pool->Parameters.fAllocateNetBuffer) {
        return NULL; /* the pool's NBLs come without NET_BUFFERs */
    }
    PNET_BUFFER_LIST nbl = mpt_allocate(pool, ContextSize, ContextBackFill, TRUE);
    if (nbl != NULL) {
        PNET_BUFFER nb = nbl->FirstNetBuffer;
        nb->MdlChain = MdlChain;
        nb->DataOffset = DataOffset;
        nb->stDataLength = DataLength;
        mpt_seek(nb);
    }
    return nbl;
}

PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize, USHORT ContextBackFill)
{
    return mpt_allocate(mpt_pool(PoolHandle, "NdisAllocateNetBufferList"), ContextSize, ContextBackFill, FALSE);
}

VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
    mpt_nbl_pool *pool = mpt_pool(NetBufferList->NdisPoolHandle, "NdisFreeNetBufferList");
    __atomic_sub_fetch(&pool->Outstanding, 1, __ATOMIC_RELAXED);
    free(NetBufferList->Context);
    NetBufferList->NdisPoolHandle = NULL;
    free(CONTAINING_RECORD(NetBufferList, mpt_nbl_block, Nbl));
}

PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length)
{
    (void)NdisHandle;
    PMDL mdl = calloc(1, sizeof *mdl);
    if (mdl != NULL) {
        mdl->Size = (CSHORT)sizeof *mdl;
        mdl->MdlFlags = MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL;
        mdl->MappedSystemVa = VirtualAddress;
        mdl->StartVa = (PVOID)((ULONG_PTR)VirtualAddress & ~(ULONG_PTR)0xFFF);
        mdl->ByteOffset = (ULONG)((ULONG_PTR)VirtualAddress & 0xFFF);
        mdl->ByteCount = Length;
    }
    return mdl;
}

VOID NdisFreeMdl(PMDL Mdl) { free(Mdl); }

PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage, UINT AlignMultiple, UINT AlignOffset)
{
    (void)AlignMultiple;
    (void)AlignOffset;
    if (NetBuffer->DataLength < BytesNeeded || NetBuffer->CurrentMdl == NULL) {
        return NULL;
    }
    PMDL mdl = NetBuffer->CurrentMdl;
    ULONG offset = NetBuffer->CurrentMdlOffset;
    if (mdl->ByteCount - offset >= BytesNeeded) {
        return (PUCHAR)mdl->MappedSystemVa + offset;
    }
    if (Storage == NULL) {
        return NULL;
    }
    ULONG copied = 0;
    while (mdl != NULL && copied < BytesNeeded) {
        ULONG chunk = mdl->ByteCount - offset;
        if (chunk > BytesNeeded - copied) {
            chunk = BytesNeeded - copied;
        }
        memcpy((PUCHAR)Storage + copied, (PUCHAR)mdl->MappedSystemVa + offset, chunk);
        copied += chunk;
        offset = 0;
        mdl = mdl->Next;
    }
    return copied == BytesNeeded ? Storage : NULL;
}

/* ---- for the host: the NBLs it sends (one NET_BUFFER over one MDL over a copy of the frame) ---- */
typedef struct mpt_send_block {
    mpt_nbl_block Block;
    MDL Mdl;
    UCHAR Frame[];
} mpt_send_block;

MPT_EXPORT PNET_BUFFER_LIST MptAllocateSendNetBufferList(const UCHAR *Frame, ULONG Length, PVOID Tag)
{
    mpt_send_block *send = calloc(1, sizeof *send + Length);
    if (send == NULL) {
        return NULL;
    }
    memcpy(send->Frame, Frame, Length);
    send->Mdl.Size = (CSHORT)sizeof send->Mdl;
    send->Mdl.MdlFlags = MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL;
    send->Mdl.MappedSystemVa = send->Frame;
    send->Mdl.StartVa = send->Frame;
    send->Mdl.ByteCount = Length;
    PNET_BUFFER_LIST nbl = &send->Block.Nbl;
    PNET_BUFFER nb = &send->Block.Nb;
    nbl->FirstNetBuffer = nb;
    nbl->SourceHandle = Tag; /* the host's tag for the send: it reads it back at completion */
    nb->MdlChain = &send->Mdl;
    nb->stDataLength = Length;
    mpt_seek(nb);
    return nbl;
}

MPT_EXPORT VOID MptFreeSendNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
    free(CONTAINING_RECORD(CONTAINING_RECORD(NetBufferList, mpt_nbl_block, Nbl), mpt_send_block, Block));
}
