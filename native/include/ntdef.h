/*
 * MiniportTimers: Windows base types at their Windows (LLP64, x64) sizes, for driver source compiled by gcc on Linux.
 * Written from the public Windows documentation (Windows Data Types, ntdef.h reference). Compile with the flags of
 * native/toolchain.mk (-fms-extensions -fshort-wchar -mms-bitfields): on LP64 "long" is 64 bits, so LONG and ULONG
 * are defined on int here, never on long.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "mpt/sal.h"

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "MiniportTimers' headers model a 64-bit Windows target (x64): build for a 64-bit Linux target."
#endif

#ifndef _AMD64_
#define _AMD64_ 1
#endif
#ifndef _WIN64
#define _WIN64 1
#endif

#define IN
#define OUT
#define OPTIONAL
#define CONST const
#define VOID void
#define NTAPI
#define NTSYSAPI
#define NTKERNELAPI
#define STORPORT_API
#define NDIS_API
#define DECLSPEC_IMPORT
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define FORCEINLINE static inline __attribute__((always_inline))
#define __forceinline inline __attribute__((always_inline))
/* MSVC's __inline in C: a function with external linkage that every file including its header may define, one copy
   kept at link time. gcc's C99 inline would emit no out-of-line copy (a call it did not inline is then an undefined
   symbol), so here it is a weak definition: each file has one, the linker keeps one, nothing is left undefined. */
#define __inline __attribute__((weak))
#define __stdcall
#define __cdecl
#define __fastcall
#define __declspec(x)
#define __pragma(x)
#define UNALIGNED
#define RESTRICTED_POINTER
#define POINTER_ALIGNMENT

/* 8 bits */
typedef char CHAR, *PCHAR, *PSTR, *LPSTR;
typedef const char *PCSTR, *PCCHAR;
typedef char *PZZSTR;                       /* strings one after another, ended by an empty one */
typedef const char *PCZZSTR;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef signed char INT8;
typedef unsigned char UINT8;
/* 16 bits; WCHAR is wchar_t at 16 bits with -fshort-wchar, so L"..." literals match */
typedef short SHORT, *PSHORT, INT16;
typedef unsigned short USHORT, *PUSHORT, WORD, UINT16;
typedef wchar_t WCHAR, *PWCHAR, *PWCH, *PWSTR, *LPWSTR;
typedef const wchar_t *PCWSTR, *LPCWSTR;
/* 32 bits: int, never long (LP64) */
typedef int LONG, *PLONG, INT, INT32, LONG32;
typedef unsigned int ULONG, *PULONG, UINT, UINT32, ULONG32, DWORD, *PDWORD;
typedef LONG NTSTATUS, *PNTSTATUS;
/* 64 bits */
typedef int64_t LONGLONG, *PLONGLONG, INT64, LONG64;
typedef uint64_t ULONGLONG, *PULONGLONG, UINT64, ULONG64, DWORD64;
/* pointer-sized */
typedef int64_t LONG_PTR, *PLONG_PTR, INT_PTR, SSIZE_T;
typedef uint64_t ULONG_PTR, *PULONG_PTR, UINT_PTR, SIZE_T, *PSIZE_T, DWORD_PTR;
typedef void *PVOID, **PPVOID, *HANDLE, **PHANDLE;
typedef const void *PCVOID;

typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; };
    struct { ULONG LowPart; LONG HighPart; } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct { ULONG LowPart; ULONG HighPart; };
    struct { ULONG LowPart; ULONG HighPart; } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef struct _LIST_ENTRY { struct _LIST_ENTRY *Flink, *Blink; } LIST_ENTRY, *PLIST_ENTRY;
typedef struct _SINGLE_LIST_ENTRY { struct _SINGLE_LIST_ENTRY *Next; } SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes, without a terminator */
    USHORT MaximumLength; /* bytes */
    PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING { USHORT Length; USHORT MaximumLength; PCHAR Buffer; } STRING, ANSI_STRING, *PSTRING, *PANSI_STRING;

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

#define STATUS_SUCCESS ((NTSTATUS)0x00000000)
#define STATUS_PENDING ((NTSTATUS)0x00000103)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002)
#define STATUS_ACCESS_VIOLATION ((NTSTATUS)0xC0000005)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000D)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009A)
#define NT_SUCCESS(status) (((NTSTATUS)(status)) >= 0)

#define C_ASSERT(e) _Static_assert(e, #e)
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) (offsetof(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_NUMBER_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARRAYSIZE(a) RTL_NUMBER_OF(a)
#define CONTAINING_RECORD(address, type, field) ((type *)((PCHAR)(address) - offsetof(type, field)))
#define UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_PARAMETER(p) ((void)(p))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(v) ((void)(v))
#define ANYSIZE_ARRAY 1

/* Memory helpers (the Rtl*Memory macros; plain C library calls here). */
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define MAXULONG 0xFFFFFFFFu
#define MAXLONG 0x7FFFFFFF
#define MAXUSHORT 0xFFFF
#define MAXUCHAR 0xFF

/* Doubly linked lists (LIST_ENTRY): plain C, as the inline routines of wdm.h behave. */
FORCEINLINE VOID InitializeListHead(PLIST_ENTRY ListHead) { ListHead->Flink = ListHead->Blink = ListHead; }
FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead) { return (BOOLEAN)(ListHead->Flink == ListHead); }
FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY next = Entry->Flink, previous = Entry->Blink;
    previous->Flink = next;
    next->Blink = previous;
    return (BOOLEAN)(next == previous);
}
FORCEINLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead) { PLIST_ENTRY entry = ListHead->Flink; RemoveEntryList(entry); return entry; }
FORCEINLINE PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead) { PLIST_ENTRY entry = ListHead->Blink; RemoveEntryList(entry); return entry; }
FORCEINLINE VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY last = ListHead->Blink;
    Entry->Flink = ListHead;
    Entry->Blink = last;
    last->Flink = Entry;
    ListHead->Blink = Entry;
}
FORCEINLINE VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY first = ListHead->Flink;
    Entry->Flink = first;
    Entry->Blink = ListHead;
    first->Blink = Entry;
    ListHead->Flink = Entry;
}

/* Interlocked operations: full barriers, as Windows' are (gcc builtins). */
#define InterlockedIncrement(Target) __atomic_add_fetch((Target), 1, __ATOMIC_SEQ_CST)
#define InterlockedDecrement(Target) __atomic_sub_fetch((Target), 1, __ATOMIC_SEQ_CST)
#define InterlockedExchange(Target, Value) __atomic_exchange_n((Target), (Value), __ATOMIC_SEQ_CST)
#define InterlockedExchangeAdd(Target, Value) __atomic_fetch_add((Target), (Value), __ATOMIC_SEQ_CST)
#define InterlockedCompareExchange(Target, Exchange, Comperand) __sync_val_compare_and_swap((Target), (Comperand), (Exchange))
#define InterlockedExchangePointer(Target, Value) __atomic_exchange_n((Target), (Value), __ATOMIC_SEQ_CST)
#define InterlockedCompareExchangePointer(Target, Exchange, Comperand) __sync_val_compare_and_swap((Target), (Comperand), (Exchange))
/* Bit Offset of the bit string at Base set (reset) atomically; the bit's value before. */
FORCEINLINE BOOLEAN InterlockedBitTestAndSet(LONG volatile *Base, LONG Offset)
{
    LONG mask = (LONG)(1u << (Offset & 31));
    return (__atomic_fetch_or(Base + (Offset >> 5), mask, __ATOMIC_SEQ_CST) & mask) != 0;
}
FORCEINLINE BOOLEAN InterlockedBitTestAndReset(LONG volatile *Base, LONG Offset)
{
    LONG mask = (LONG)(1u << (Offset & 31));
    return (__atomic_fetch_and(Base + (Offset >> 5), ~mask, __ATOMIC_SEQ_CST) & mask) != 0;
}
#define KeMemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define MemoryBarrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Checked-build assertions and paging annotations: an ASSERT that fails stops the adapter (KeBugCheckEx below). */
/* NT_ASSERT and NT_ASSERTMSG are checked-build assertions, as in Windows: with DBG set they are ASSERT (a failure is
   the bug check below); otherwise the expression is not evaluated at all (drivers name DBG-only variables in them). */
#if defined(DBG) && DBG
#define NT_ASSERT(e) ASSERT(e)
#define NT_ASSERTMSG(Message, e) ((void)(Message), ASSERT(e))
#else
#define NT_ASSERT(e) ((void)0)
#define NT_ASSERTMSG(Message, e) ((void)0)
#endif
#define PAGED_CODE()
#define PAGED_CODE_LOCKED()
#define ALIGN_UP_BY(Length, Alignment) (((ULONG_PTR)(Length) + (Alignment) - 1) & ~((ULONG_PTR)(Alignment) - 1))
#define ALIGN_DOWN_BY(Length, Alignment) ((ULONG_PTR)(Length) & ~((ULONG_PTR)(Alignment) - 1))
#define ALIGN_UP_POINTER_BY(Pointer, Alignment) ((PVOID)ALIGN_UP_BY(Pointer, Alignment))
/* Rounded up or down to a multiple of a type's size. */
#define ALIGN_UP(Length, Type) ALIGN_UP_BY(Length, sizeof(Type))
#define ALIGN_DOWN(Length, Type) ALIGN_DOWN_BY(Length, sizeof(Type))

/* The smaller and the larger of two values (each argument may be evaluated twice), unless NOMINMAX. */
#ifndef NOMINMAX
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

/* The names Windows gives anonymous members in its headers: empty, so the members are anonymous (-fms-extensions). */
#define DUMMYUNIONNAME
#define DUMMYUNIONNAME2
#define DUMMYUNIONNAME3
#define DUMMYUNIONNAME4
#define DUMMYUNIONNAME5
#define DUMMYSTRUCTNAME
#define DUMMYSTRUCTNAME2
#define DUMMYSTRUCTNAME3
#define DUMMYSTRUCTNAME4
#define DUMMYSTRUCTNAME5

/* Layout checks: the sizes Windows x64 documents. */
C_ASSERT(sizeof(CHAR) == 1 && sizeof(SHORT) == 2 && sizeof(WCHAR) == 2);
C_ASSERT(sizeof(LONG) == 4 && sizeof(ULONG) == 4 && sizeof(BOOLEAN) == 1);
C_ASSERT(sizeof(LONGLONG) == 8 && sizeof(ULONG_PTR) == 8 && sizeof(PVOID) == 8);
C_ASSERT(sizeof(LARGE_INTEGER) == 8 && FIELD_OFFSET(LARGE_INTEGER, HighPart) == 4);
C_ASSERT(sizeof(LIST_ENTRY) == 16 && sizeof(UNICODE_STRING) == 16 && FIELD_OFFSET(UNICODE_STRING, Buffer) == 8);

/* More base types drivers meet (ntdef.h / basetsd.h reference pages). */
typedef UINT *PUINT;
typedef UINT8 *PUINT8;
typedef UINT16 *PUINT16;
typedef UINT32 *PUINT32;
typedef UINT64 *PUINT64;
typedef SHORT CSHORT;
typedef CHAR CCHAR;
typedef ULONG LOGICAL, *PLOGICAL;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;
typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;
/* A globally unique identifier (16 bytes). */
typedef struct _GUID { ULONG Data1; USHORT Data2; USHORT Data3; UCHAR Data4[8]; } GUID, *LPGUID;
typedef const GUID *LPCGUID;
C_ASSERT(sizeof(GUID) == 16);
/* A pointer's low 32 bits as a ULONG (basetsd.h: PtrToUlong), and back (ULongToPtr, zero-extended). */
FORCEINLINE ULONG PtrToUlong(const void *p) { return (ULONG)(ULONG_PTR)p; }
FORCEINLINE PVOID ULongToPtr(ULONG ul) { return (PVOID)(ULONG_PTR)ul; }
/* The CRT's checked copy (memcpy_s, which the kernel exports too): copies Count bytes into Destination, which holds
   DestinationSize; 0 on success; EINVAL (22) for a NULL pointer with a nonzero Count, after zeroing Destination when
   only Source is NULL; ERANGE (34) when Count exceeds DestinationSize, after zeroing Destination. */
typedef int errno_t;
FORCEINLINE errno_t memcpy_s(void *Destination, size_t DestinationSize, const void *Source, size_t Count)
{
    if (Count == 0) {
        return 0;
    }
    if (Destination == NULL) {
        return 22;
    }
    if (Source == NULL) {
        memset(Destination, 0, DestinationSize);
        return 22;
    }
    if (DestinationSize < Count) {
        memset(Destination, 0, DestinationSize);
        return 34;
    }
    memcpy(Destination, Source, Count);
    return 0;
}
#define RTL_CONSTANT_STRING(s) { sizeof(s) - sizeof((s)[0]), sizeof(s), (PVOID)(s) }
#define RTL_BITS_OF(type) (sizeof(type) * 8)
#define SYSTEM_CACHE_ALIGNMENT_SIZE 64
#define MEMORY_ALLOCATION_ALIGNMENT 16 /* x64: pool and heap blocks, and the NDIS structures aligned to them */
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(SYSTEM_CACHE_ALIGNMENT_SIZE)
#define MAXULONG_PTR (~(ULONG_PTR)0)
#define MINLONG ((LONG)0x80000000)
#define FlagOn(Flags, SingleFlag) ((Flags) & (SingleFlag))
#define BooleanFlagOn(Flags, SingleFlag) ((BOOLEAN)(((Flags) & (SingleFlag)) != 0))
#define SetFlag(Flags, SingleFlag) ((Flags) |= (SingleFlag))
#define ClearFlag(Flags, SingleFlag) ((Flags) &= ~(SingleFlag))

/* An interlocked singly linked list head: 16 bytes, 16-aligned on x64 (only its size matters to these headers). */
typedef union DECLSPEC_ALIGN(16) _SLIST_HEADER { struct { ULONGLONG Alignment; ULONGLONG Region; }; } SLIST_HEADER, *PSLIST_HEADER;
C_ASSERT(sizeof(SLIST_HEADER) == 16);

