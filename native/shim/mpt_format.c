/*
 * MiniportTimers: DbgPrint, DbgPrintEx and StorPortDebugPrint, formatted with the Windows kernel's semantics and
 * handed to the host's debug log.
 *
 * The formatter is written to be safe for any format string and any argument values a driver can pass: every byte of
 * output goes through one bounded sink (nothing is formatted into an intermediate buffer, and no printf-style spec is
 * rebuilt from the driver's text), widths and precisions are clamped numbers whose padding costs at most the room
 * left, and a string is never read past its precision or counted length. native/tests/format_fuzz.c fuzzes it under
 * AddressSanitizer and UBSan (docs/native.md, "Sanitizers and the formatter fuzz").
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include "mpt_internal.h"
#include "mpt_format.h"

/* ---------------------------------------------------------------------------------------------------------------
 * Output: all writes go through the sink, which never writes past out[cap - 2] (out[cap - 1] is for the terminator)
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct mpt_sink {
    char *out;
    size_t cap; /* at least 1 here: mpt_format_from returns before making a sink for cap 0 */
    size_t at;
    /* Set once a piece did not fit. Sticky, so nothing shorter that comes later slips in after the cut: a truncated
     * text stays a prefix of the whole text (and a UTF-8 sequence is never cut, see mpt_sink_whole). */
    int full;
} mpt_sink;

static size_t mpt_sink_room(const mpt_sink *sink)
{
    return sink->full ? 0 : sink->cap - 1 - sink->at;
}

/* Appends as many of the n bytes as fit. */
static void mpt_sink_bytes(mpt_sink *sink, const char *bytes, size_t n)
{
    size_t room = mpt_sink_room(sink);
    if (n > room) {
        n = room;
        sink->full = 1;
    }
    memcpy(sink->out + sink->at, bytes, n);
    sink->at += n;
}

/* Appends n copies of c, as many as fit: a width of two billion costs what the room left costs. */
static void mpt_sink_repeat(mpt_sink *sink, char c, size_t n)
{
    size_t room = mpt_sink_room(sink);
    if (n > room) {
        n = room;
        sink->full = 1;
    }
    memset(sink->out + sink->at, c, n);
    sink->at += n;
}

/* Appends all n bytes, or none if they do not fit (one character's UTF-8 sequence). */
static void mpt_sink_whole(mpt_sink *sink, const char *bytes, size_t n)
{
    if (n > mpt_sink_room(sink)) {
        sink->full = 1;
        return;
    }
    mpt_sink_bytes(sink, bytes, n);
}

/* ---------------------------------------------------------------------------------------------------------------
 * One directive
 * ------------------------------------------------------------------------------------------------------------- */

/* Widths and precisions are C ints; anything larger prints the same as this (the output is far shorter), and clamping
 * keeps every length sum below far from overflow. */
#define MPT_FIELD_MAX ((size_t)INT_MAX + 1) /* INT_MIN as a '*' width is a '-' flag and a width of 2^31 */

typedef struct mpt_spec {
    int left, plus, space, alt, zero; /* the flags - + space # 0, each once however often it was written */
    size_t width;                     /* 0 when none */
    int has_precision;
    size_t precision;
} mpt_spec;

/* Reads a decimal width or precision, saturating (the digits are all consumed either way). */
static size_t mpt_read_decimal(const char **p)
{
    size_t value = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++) {
        if (value < MPT_FIELD_MAX) {
            value = value * 10 + (size_t)(**p - '0');
        }
    }
    return value < MPT_FIELD_MAX ? value : MPT_FIELD_MAX;
}

/* The magnitude of an int argument, whatever its value (INT_MIN included), clamped to MPT_FIELD_MAX. */
static size_t mpt_field_magnitude(long long value)
{
    unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    return magnitude < MPT_FIELD_MAX ? (size_t)magnitude : MPT_FIELD_MAX;
}

static size_t mpt_padding(const mpt_spec *spec, size_t length)
{
    return spec->width > length ? spec->width - length : 0;
}

/* The low `bits` bits of v read as a two's complement integer: its sign, and its magnitude (unsigned arithmetic only,
 * so LLONG_MIN and the 8- and 16-bit truncations of %hhd and %hd are neither overflow nor implementation-defined). */
static int mpt_split_signed(unsigned long long v, int bits, unsigned long long *magnitude)
{
    unsigned long long mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
    v &= mask;
    if (v >> (bits - 1)) {
        *magnitude = ((~v) & mask) + 1;
        return 1;
    }
    *magnitude = v;
    return 0;
}

/* An integer with C's rules for flags, width and precision (%p passes a precision of 16 and no flags but '-'). */
static void mpt_put_integer(mpt_sink *sink, const mpt_spec *spec, unsigned long long magnitude, char sign, unsigned base, int upper)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[24]; /* 64 bits in octal are 22 digits */
    size_t count = 0;
    /* C: a precision of 0 prints no digits for 0 */
    if (!(spec->has_precision && spec->precision == 0 && magnitude == 0)) {
        unsigned long long rest = magnitude;
        do {
            digits[sizeof digits - 1 - count++] = set[rest % base];
            rest /= base;
        } while (rest != 0);
    }
    size_t zeros = spec->has_precision && spec->precision > count ? spec->precision - count : 0;
    const char *prefix = "";
    if (spec->alt && base == 16 && magnitude != 0) {
        prefix = upper ? "0X" : "0x";
    } else if (spec->alt && base == 8 && zeros == 0 && (count == 0 || magnitude != 0)) {
        zeros = 1; /* C: '#' with o makes the first digit a 0 */
    }
    size_t prefix_length = strlen(prefix) + (sign != 0);
    size_t padding = mpt_padding(spec, prefix_length + zeros + count);
    int zero_padded = spec->zero && !spec->left && !spec->has_precision; /* C: '-' or a precision turns '0' off */
    if (!spec->left && !zero_padded) {
        mpt_sink_repeat(sink, ' ', padding);
    }
    if (sign != 0) {
        mpt_sink_bytes(sink, &sign, 1);
    }
    mpt_sink_bytes(sink, prefix, strlen(prefix));
    if (zero_padded) {
        mpt_sink_repeat(sink, '0', padding);
    }
    mpt_sink_repeat(sink, '0', zeros);
    mpt_sink_bytes(sink, digits + sizeof digits - count, count);
    if (spec->left) {
        mpt_sink_repeat(sink, ' ', padding);
    }
}

/* Narrow text of a known length, padded to the width (with spaces, as glibc pads %05s). */
static void mpt_put_text(mpt_sink *sink, const mpt_spec *spec, const char *text, size_t length)
{
    size_t padding = mpt_padding(spec, length);
    if (!spec->left) {
        mpt_sink_repeat(sink, ' ', padding);
    }
    mpt_sink_bytes(sink, text, length);
    if (spec->left) {
        mpt_sink_repeat(sink, ' ', padding);
    }
}

/* Characters before a NUL, reading at most max of them: a precision or a counted length bounds the read, so a buffer
 * without a terminator is never read past. */
static size_t mpt_narrow_length(const char *text, size_t max)
{
    size_t n = 0;
    while (n < max && text[n] != 0) {
        n++;
    }
    return n;
}

static size_t mpt_wide_length(const WCHAR *text, size_t max)
{
    size_t n = 0;
    while (n < max && text[n] != 0) {
        n++;
    }
    return n;
}

/* UTF-16 (WCHAR) text of count units, as UTF-8, padded to the width. The width and precision count WCHARs, as the
 * Windows CRT counts them for %ws in a narrow printf. A surrogate without its pair becomes U+FFFD, so the output is
 * always valid UTF-8 (the host decodes it as UTF-8 and would make the same replacement). */
static void mpt_put_wide(mpt_sink *sink, const mpt_spec *spec, const WCHAR *text, size_t count)
{
    size_t padding = mpt_padding(spec, count);
    if (!spec->left) {
        mpt_sink_repeat(sink, ' ', padding);
    }
    for (size_t i = 0; i < count && mpt_sink_room(sink) > 0; i++) {
        unsigned long c = text[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < count && text[i + 1] >= 0xDC00 && text[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (unsigned long)(text[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        char utf8[4];
        size_t n;
        if (c < 0x80) {
            utf8[0] = (char)c;
            n = 1;
        } else if (c < 0x800) {
            utf8[0] = (char)(0xC0 | (c >> 6));
            utf8[1] = (char)(0x80 | (c & 0x3F));
            n = 2;
        } else if (c < 0x10000) {
            utf8[0] = (char)(0xE0 | (c >> 12));
            utf8[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            utf8[2] = (char)(0x80 | (c & 0x3F));
            n = 3;
        } else {
            utf8[0] = (char)(0xF0 | (c >> 18));
            utf8[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            utf8[2] = (char)(0x80 | ((c >> 6) & 0x3F));
            utf8[3] = (char)(0x80 | (c & 0x3F));
            n = 4;
        }
        mpt_sink_whole(sink, utf8, n);
    }
    if (spec->left) {
        mpt_sink_repeat(sink, ' ', padding);
    }
}

static const char mpt_null_text[] = "(null)";
static const WCHAR mpt_null_wide[] = L"(null)";

/*
 * Formats like the Windows kernel's DbgPrint:
 *   - length: h/hh are 16/8 bits, l is 32 bits (ULONG), ll and I64 are 64 bits, I32 32, I and z pointer-sized;
 *   - %d %i %u %x %X %o with C's flags (- + space # 0), width and precision; '*' takes an int, a negative width is the
 *     '-' flag, a negative precision none;
 *   - %c, %s: narrow; %C, %S, %lc, %wc, %ls, %ws: WCHAR (UTF-8 out); 'h' makes any of them narrow (%hS), as on Windows;
 *     a precision limits the characters read; a NULL string prints "(null)";
 *   - %wZ a PUNICODE_STRING (Length bytes, rounded down to whole WCHARs), %Z a PANSI_STRING, up to a NUL inside the
 *     count; a NULL string or Buffer prints "(null)", as Windows does; the width applies, a precision does not;
 *   - %p: 16 upper-case hex digits, no prefix (Windows x64), padded to the width;
 *   - %%: '%'; an unknown directive (and a '%' at the end) is copied as written, having taken its '*' arguments.
 */
size_t mpt_format_from(char *out, size_t cap, const char *format, mpt_arg_fetch fetch, void *context)
{
    if (cap == 0) {
        return 0;
    }
    mpt_sink sink = { out, cap, 0, 0 };
    const char *p = format != NULL ? format : mpt_null_text;
    while (*p != 0 && mpt_sink_room(&sink) > 0) {
        if (*p != '%') {
            const char *run = p;
            while (*p != 0 && *p != '%') {
                p++;
            }
            mpt_sink_bytes(&sink, run, (size_t)(p - run));
            continue;
        }
        const char *start = p++;
        mpt_spec spec = { 0 };
        for (;; p++) {
            if (*p == '-') spec.left = 1;
            else if (*p == '+') spec.plus = 1;
            else if (*p == ' ') spec.space = 1;
            else if (*p == '#') spec.alt = 1;
            else if (*p == '0') spec.zero = 1;
            else break;
        }
        if (*p == '*') {
            long long width = fetch(context, MPT_ARG_INT).i;
            if (width < 0) {
                spec.left = 1; /* C: a negative '*' width is the '-' flag and its magnitude */
            }
            spec.width = mpt_field_magnitude(width);
            p++;
        } else {
            spec.width = mpt_read_decimal(&p);
        }
        if (*p == '.') {
            p++;
            spec.has_precision = 1;
            if (*p == '*') {
                long long precision = fetch(context, MPT_ARG_INT).i;
                spec.has_precision = precision >= 0; /* C: a negative '*' precision is taken as none */
                spec.precision = spec.has_precision ? mpt_field_magnitude(precision) : 0;
                p++;
            } else {
                spec.precision = mpt_read_decimal(&p);
            }
        }
        int bits = 32;  /* of an integer argument */
        int wide = -1;  /* of a character or string: -1 by the conversion, 0 narrow (h), 1 wide (l, w) */
        if (p[0] == 'I' && p[1] == '6' && p[2] == '4') { bits = 64; p += 3; }
        else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') { bits = 32; p += 3; }
        else if (p[0] == 'I') { bits = 64; p++; }
        else if (p[0] == 'l' && p[1] == 'l') { bits = 64; p += 2; }
        else if (p[0] == 'h' && p[1] == 'h') { bits = 8; wide = 0; p += 2; }
        else if (p[0] == 'h') { bits = 16; wide = 0; p++; }
        else if (p[0] == 'l' || p[0] == 'w') { wide = 1; p++; } /* l: 32 bits for integers, wide for c/s/Z */
        else if (p[0] == 'z') { bits = 64; p++; }
        char conversion = *p;
        switch (conversion) {
        case 'd': case 'i': {
            mpt_arg arg = fetch(context, bits == 64 ? MPT_ARG_INT64 : MPT_ARG_INT);
            unsigned long long magnitude;
            int negative = mpt_split_signed((unsigned long long)arg.i, bits, &magnitude);
            char sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : 0;
            mpt_put_integer(&sink, &spec, magnitude, sign, 10, 0);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            mpt_arg arg = fetch(context, bits == 64 ? MPT_ARG_UINT64 : MPT_ARG_UINT);
            unsigned long long value = arg.u & (bits >= 64 ? ~0ULL : (1ULL << bits) - 1);
            unsigned base = conversion == 'u' ? 10 : conversion == 'o' ? 8 : 16;
            mpt_put_integer(&sink, &spec, value, 0, base, conversion == 'X');
            break;
        }
        case 'p': {
            /* Windows prints a pointer as all its hex digits, upper case, without 0x (x64: 16). */
            mpt_spec pointer = { .left = spec.left, .width = spec.width, .has_precision = 1, .precision = 2 * sizeof(void *) };
            mpt_put_integer(&sink, &pointer, (unsigned long long)(uintptr_t)fetch(context, MPT_ARG_POINTER).p, 0, 16, 1);
            break;
        }
        case 'c': case 'C': {
            long long c = fetch(context, MPT_ARG_INT).i;
            if (wide == 1 || (wide == -1 && conversion == 'C')) {
                WCHAR w = (WCHAR)(c & 0xFFFF);
                mpt_put_wide(&sink, &spec, &w, w != 0 ? 1 : 0);
            } else {
                char b = (char)(unsigned char)(c & 0xFF);
                mpt_put_text(&sink, &spec, &b, b != 0 ? 1 : 0); /* a NUL would end the text: print none */
            }
            break;
        }
        case 's': case 'S': {
            size_t max = spec.has_precision ? spec.precision : SIZE_MAX;
            if (wide == 1 || (wide == -1 && conversion == 'S')) {
                const WCHAR *w = fetch(context, MPT_ARG_WSTRING).p;
                if (w == NULL) {
                    w = mpt_null_wide;
                }
                mpt_put_wide(&sink, &spec, w, mpt_wide_length(w, max));
            } else {
                const char *text = fetch(context, MPT_ARG_STRING).p;
                if (text == NULL) {
                    text = mpt_null_text;
                }
                mpt_put_text(&sink, &spec, text, mpt_narrow_length(text, max));
            }
            break;
        }
        case 'Z': {
            if (wide == 1) {
                const UNICODE_STRING *u = fetch(context, MPT_ARG_UNICODE_STRING).p;
                if (u != NULL && u->Buffer != NULL) {
                    mpt_put_wide(&sink, &spec, u->Buffer, mpt_wide_length(u->Buffer, u->Length / sizeof(WCHAR)));
                } else {
                    mpt_put_text(&sink, &spec, mpt_null_text, sizeof mpt_null_text - 1);
                }
            } else {
                const ANSI_STRING *a = fetch(context, MPT_ARG_ANSI_STRING).p;
                if (a != NULL && a->Buffer != NULL) {
                    mpt_put_text(&sink, &spec, a->Buffer, mpt_narrow_length(a->Buffer, a->Length));
                } else {
                    mpt_put_text(&sink, &spec, mpt_null_text, sizeof mpt_null_text - 1);
                }
            }
            break;
        }
        case '%':
            mpt_sink_bytes(&sink, "%", 1);
            break;
        default:
            /* unknown, or the format ended inside the directive: copy the directive as written */
            mpt_sink_bytes(&sink, start, (size_t)(p - start) + (*p != 0));
            break;
        }
        if (*p != 0) {
            p++;
        }
    }
    sink.out[sink.at] = 0;
    return sink.at;
}

/* The DbgPrint wrappers' arguments, read from their va_list with each directive's type. */
typedef struct mpt_va_source {
    va_list args;
} mpt_va_source;

static mpt_arg mpt_va_fetch(void *context, mpt_arg_kind kind)
{
    mpt_va_source *source = context;
    mpt_arg arg;
    switch (kind) {
    case MPT_ARG_INT: arg.i = va_arg(source->args, int); break;
    case MPT_ARG_UINT: arg.u = va_arg(source->args, unsigned int); break;
    case MPT_ARG_INT64: arg.i = va_arg(source->args, long long); break;
    case MPT_ARG_UINT64: arg.u = va_arg(source->args, unsigned long long); break;
    case MPT_ARG_STRING: arg.p = va_arg(source->args, const char *); break;
    case MPT_ARG_WSTRING: arg.p = va_arg(source->args, const WCHAR *); break;
    case MPT_ARG_UNICODE_STRING: arg.p = va_arg(source->args, const UNICODE_STRING *); break;
    case MPT_ARG_ANSI_STRING: arg.p = va_arg(source->args, const ANSI_STRING *); break;
    default: arg.p = va_arg(source->args, const void *); break;
    }
    return arg;
}

void mpt_format(char *out, size_t cap, const char *format, va_list args)
{
    mpt_va_source source;
    va_copy(source.args, args);
    mpt_format_from(out, cap, format, mpt_va_fetch, &source);
    va_end(source.args);
}

static void mpt_debug_print(ULONG level, const char *format, va_list args)
{
    char text[1024];
    mpt_format(text, sizeof text, format, args);
    g_mpt->MptDebugPrint(level, text);
    MPT_CHECK(); /* a DebugPrinted handler that threw is a bug check in this driver, not the next one */
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list args;
    va_start(args, Format);
    mpt_debug_print(DPFLTR_ERROR_LEVEL, Format, args);
    va_end(args);
    return STATUS_SUCCESS;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    (void)ComponentId;
    va_list args;
    va_start(args, Format);
    mpt_debug_print(Level, Format, args);
    va_end(args);
    return STATUS_SUCCESS;
}

VOID StorPortDebugPrint(ULONG DebugPrintLevel, PCCHAR DebugMessage, ...)
{
    va_list args;
    va_start(args, DebugMessage);
    mpt_debug_print(DebugPrintLevel, DebugMessage, args);
    va_end(args);
}
