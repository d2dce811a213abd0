/*
 * MiniportTimers: DbgPrint, DbgPrintEx and StorPortDebugPrint, formatted with the Windows kernel's semantics and
 * handed to the host's debug log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "mpt_internal.h"

/* ---------------------------------------------------------------------------------------------------------------
 * Debug print with Windows semantics
 * ------------------------------------------------------------------------------------------------------------- */

/* Appends UTF-16 (WCHAR) text as UTF-8. */
static size_t mpt_put_wide(char *out, size_t at, size_t cap, const WCHAR *text, size_t count)
{
    for (size_t i = 0; i < count && text[i] != 0; i++) {
        unsigned int c = text[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < count && text[i + 1] >= 0xDC00 && text[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
            i++;
        }
        char utf8[4];
        size_t n;
        if (c < 0x80) { utf8[0] = (char)c; n = 1; }
        else if (c < 0x800) { utf8[0] = (char)(0xC0 | (c >> 6)); utf8[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
        else if (c < 0x10000) { utf8[0] = (char)(0xE0 | (c >> 12)); utf8[1] = (char)(0x80 | ((c >> 6) & 0x3F)); utf8[2] = (char)(0x80 | (c & 0x3F)); n = 3; }
        else { utf8[0] = (char)(0xF0 | (c >> 18)); utf8[1] = (char)(0x80 | ((c >> 12) & 0x3F)); utf8[2] = (char)(0x80 | ((c >> 6) & 0x3F)); utf8[3] = (char)(0x80 | (c & 0x3F)); n = 4; }
        for (size_t k = 0; k < n && at + 1 < cap; k++) out[at++] = utf8[k];
    }
    return at;
}

/*
 * Formats like the Windows kernel's DbgPrint: h/hh are 16/8 bits, l is 32 bits (ULONG), ll and I64 are 64 bits, I is
 * pointer-sized, %ws/%ls/%S take a WCHAR string, %wZ a PUNICODE_STRING, %Z a PANSI_STRING; flags, width and precision
 * as in C. Writes at most cap - 1 bytes and a terminator.
 */
void mpt_format(char *out, size_t cap, const char *format, va_list args)
{
    size_t at = 0;
    for (const char *p = format; *p && at + 1 < cap; p++) {
        if (*p != '%') { out[at++] = *p; continue; }
        const char *start = p++;
        char spec[32];
        size_t s = 0;
        spec[s++] = '%';
        while (*p && strchr("-+ #0", *p)) { if (s < 20) spec[s++] = *p; p++; }
        if (*p == '*') { int w = va_arg(args, int); s += (size_t)snprintf(spec + s, sizeof spec - s, "%d", w); p++; }
        else while (*p >= '0' && *p <= '9') { if (s < 20) spec[s++] = *p; p++; }
        if (*p == '.') {
            spec[s++] = *p++;
            if (*p == '*') { int prec = va_arg(args, int); s += (size_t)snprintf(spec + s, sizeof spec - s, "%d", prec); p++; }
            else while (*p >= '0' && *p <= '9') { if (s < 24) spec[s++] = *p; p++; }
        }
        int size = 32; /* bits of an integer argument */
        int wide = 0;
        if (p[0] == 'I' && p[1] == '6' && p[2] == '4') { size = 64; p += 3; }
        else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') { size = 32; p += 3; }
        else if (p[0] == 'I') { size = 64; p++; }
        else if (p[0] == 'l' && p[1] == 'l') { size = 64; p += 2; }
        else if (p[0] == 'h' && p[1] == 'h') { size = 8; p += 2; }
        else if (p[0] == 'h') { size = 16; p++; }
        else if (p[0] == 'l' || p[0] == 'w') { wide = 1; p++; }   /* l: 32 bits for integers, wide for c/s */
        else if (p[0] == 'z') { size = 64; p++; }
        char conversion = *p;
        char buffer[512];
        buffer[0] = 0;
        switch (conversion) {
        case 'd': case 'i': {
            spec[s++] = 'l'; spec[s++] = 'l'; spec[s++] = conversion; spec[s] = 0;
            long long v = size == 64 ? va_arg(args, long long) : (long long)va_arg(args, int);
            if (size == 16) v = (short)v; else if (size == 8) v = (signed char)v;
            snprintf(buffer, sizeof buffer, spec, v);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            spec[s++] = 'l'; spec[s++] = 'l'; spec[s++] = conversion; spec[s] = 0;
            unsigned long long v = size == 64 ? va_arg(args, unsigned long long) : (unsigned long long)va_arg(args, unsigned int);
            if (size == 16) v = (unsigned short)v; else if (size == 8) v = (unsigned char)v;
            snprintf(buffer, sizeof buffer, spec, v);
            break;
        }
        case 'p': {
            /* Windows prints a pointer as all its hex digits, upper case, without 0x (x64: 16). */
            snprintf(buffer, sizeof buffer, "%016llX", (unsigned long long)(ULONG_PTR)va_arg(args, void *));
            break;
        }
        case 'c': case 'C': {
            int c = va_arg(args, int);
            if (wide || conversion == 'C') { WCHAR w = (WCHAR)c; at = mpt_put_wide(out, at, cap, &w, 1); }
            else { buffer[0] = (char)c; buffer[1] = 0; }
            break;
        }
        case 's': case 'S': {
            if (wide || conversion == 'S') {
                const WCHAR *w = va_arg(args, const WCHAR *);
                at = w ? mpt_put_wide(out, at, cap, w, (size_t)-1) : mpt_put_wide(out, at, cap, L"(null)", 6);
            } else {
                spec[s++] = 's'; spec[s] = 0;
                const char *text = va_arg(args, const char *);
                snprintf(buffer, sizeof buffer, spec, text ? text : "(null)");
            }
            break;
        }
        case 'Z': {
            if (wide) {
                const UNICODE_STRING *u = va_arg(args, const UNICODE_STRING *);
                if (u && u->Buffer) at = mpt_put_wide(out, at, cap, u->Buffer, u->Length / sizeof(WCHAR));
            } else {
                const ANSI_STRING *a = va_arg(args, const ANSI_STRING *);
                if (a && a->Buffer) snprintf(buffer, sizeof buffer, "%.*s", (int)a->Length, a->Buffer);
            }
            break;
        }
        case '%':
            buffer[0] = '%'; buffer[1] = 0;
            break;
        default:
            /* unknown: copy the directive as written */
            snprintf(buffer, sizeof buffer, "%.*s", (int)(p - start + (*p ? 1 : 0)), start);
            break;
        }
        for (size_t k = 0; buffer[k] && at + 1 < cap; k++) out[at++] = buffer[k];
        if (!*p) break;
    }
    out[at] = 0;
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
