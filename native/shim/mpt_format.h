/*
 * MiniportTimers: the DbgPrint formatter's core, with its arguments behind a callback instead of a va_list.
 *
 * mpt_format (mpt_internal.h) is what the DbgPrint wrappers call; it reads a va_list through this core. The core
 * exists on its own so a test can feed it any format string, however malformed: the callback is told which kind of
 * argument each directive consumes, and can hand out a value of that kind, where a va_list would have to be built to
 * match a format the test cannot parse without repeating the formatter (native/tests/format_fuzz.c).
 * This header needs nothing but <stddef.h>; mpt_format_from needs nothing but the C library and ntdef.h's types.
 */
#pragma once

#include <stddef.h>

/* What a directive takes from the argument list, in the order it takes it (C's default promotions applied). */
typedef enum mpt_arg_kind {
    MPT_ARG_INT,            /* int: a '*' width or precision, %c, %C, a signed integer of 32 bits or fewer */
    MPT_ARG_UINT,           /* unsigned int: an unsigned integer of 32 bits or fewer (%u %x %X %o, h, hh, l) */
    MPT_ARG_INT64,          /* long long: %lld, %I64d, %Id, %zd */
    MPT_ARG_UINT64,         /* unsigned long long: %llu, %I64x, %Ix, %zx ... */
    MPT_ARG_POINTER,        /* void *: %p (printed, never read through) */
    MPT_ARG_STRING,         /* const char *: %s, %hs (NULL prints "(null)") */
    MPT_ARG_WSTRING,        /* const WCHAR *: %ws, %ls, %S (NULL prints "(null)") */
    MPT_ARG_UNICODE_STRING, /* const UNICODE_STRING *: %wZ */
    MPT_ARG_ANSI_STRING,    /* const ANSI_STRING *: %Z */
} mpt_arg_kind;

typedef union mpt_arg {
    long long i;        /* MPT_ARG_INT, MPT_ARG_INT64 */
    unsigned long long u; /* MPT_ARG_UINT, MPT_ARG_UINT64 */
    const void *p;      /* the pointer kinds */
} mpt_arg;

/* Returns the next argument, which the directive being formatted reads as kind. */
typedef mpt_arg (*mpt_arg_fetch)(void *context, mpt_arg_kind kind);

/*
 * Formats format into out like the Windows kernel's DbgPrint (see mpt_format.c), taking each argument from fetch.
 * Writes at most cap - 1 bytes and a terminator (nothing at all when cap is 0), whatever the format says; the text
 * written with a smaller cap is always a prefix of the text written with a larger one. Returns the bytes written,
 * without the terminator.
 */
size_t mpt_format_from(char *out, size_t cap, const char *format, mpt_arg_fetch fetch, void *context);
