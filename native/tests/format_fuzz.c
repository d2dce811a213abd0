/*
 * The DbgPrint formatter's fuzz, written by the MiniportTimers project (docs/native.md, "Sanitizers and the formatter
 * fuzz"). `make -C native format-fuzz` builds it with native/shim/mpt_format.c under
 * -fsanitize=address,undefined -fno-sanitize-recover=all and runs it; CI does that.
 *
 *   format_fuzz [seed] [iterations] [seconds]     defaults: a seed from the clock, 2000000 iterations, 10 s
 *
 * First a list of fixed cases, each compared with its exact output (the overflows found so far among them), through
 * the DbgPrint wrapper and its va_list. Then random cases until the count or the time runs out, each of one of two
 * kinds:
 *   - junk: a random format string from an alphabet weighted toward '%', flags, digits, '*', '.', the length
 *     modifiers and conversions, long flag runs, huge numbers and random bytes, with random arguments of whatever kind
 *     the formatter asks for (mpt_format.h: it names the kind of each argument it takes). Checked: no sanitizer
 *     finding, the output is NUL-terminated inside the buffer, and every smaller cap (0, 1, 2, 7 and a random one)
 *     gives a prefix of the full output that uses the cap;
 *   - checked: well-formed directives whose meaning C and glibc share (and %p, %ws, %wZ, %Z, %C with ASCII text),
 *     with the arguments they take; the output must equal what glibc's snprintf prints for each directive, and the
 *     formatter must take exactly the arguments predicted.
 * Every case's arguments live in allocations of their exact size, so reading one byte too far is a finding.
 *
 * A failing case prints its seed: `format_fuzz SEED 1` runs that case alone (case i of seed S has seed S + i).
 * Exit code 0 when everything passed.
 */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "mpt_internal.h"
#include "mpt_format.h"
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

/* mpt_format.c's DbgPrint wrappers reach the host through these; the fixed cases point the table at a capture. */
const MPT_DDI_TABLE *g_mpt;
__thread int mpt_t_fault;
void mpt_unwind(void)
{
    abort(); /* the capture never records a bug check */
}

/* ---------------------------------------------------------------------------------------------------------------
 * What is running now, printed if it dies (a sanitizer finding or the watchdog)
 * ------------------------------------------------------------------------------------------------------------- */

static char g_current[8192];

static void append(char *text, size_t cap, const char *more)
{
    size_t at = strlen(text);
    size_t n = strlen(more);
    if (at + 1 >= cap) {
        return;
    }
    if (n > cap - 1 - at) {
        n = cap - 1 - at;
    }
    memcpy(text + at, more, n);
    text[at + n] = 0;
}

/* The format string as a C literal, so the case can be pasted into a fixed case; no seed for a fixed case. */
static void describe(const char *what, const uint64_t *seed, const char *format)
{
    char line[256];
    if (seed == NULL) {
        snprintf(line, sizeof line, "%s, format \"", what);
    } else {
        snprintf(line, sizeof line, "%s, seed %llu (`format_fuzz %llu 1` runs it alone), format \"", what, (unsigned long long)*seed, (unsigned long long)*seed);
    }
    g_current[0] = 0;
    append(g_current, sizeof g_current, line);
    for (const unsigned char *p = (const unsigned char *)(format ? format : "(NULL)"); *p; p++) {
        char c[8];
        if (*p == '"' || *p == '\\') snprintf(c, sizeof c, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7F) snprintf(c, sizeof c, "\\x%02X\"\"", *p);
        else snprintf(c, sizeof c, "%c", *p);
        append(g_current, sizeof g_current, c);
    }
    append(g_current, sizeof g_current, "\"\n");
}

/* Signal-safe: only write(2). */
static void print_current(void)
{
    static const char head[] = "format_fuzz: FAILED in ";
    if (write(2, head, sizeof head - 1) < 0 || write(2, g_current, strlen(g_current)) < 0) {
        _exit(1);
    }
}

#if defined(__SANITIZE_ADDRESS__)
/* UBSan's runtime (libubsan, apart from libasan) calls this before it reports, where libasan's death callback is not
 * called; the runtime's own definition is weak. */
void __ubsan_on_report(void);
void __ubsan_on_report(void)
{
    print_current();
}
#endif

static void on_alarm(int signal)
{
    (void)signal;
    static const char hung[] = "format_fuzz: a case ran past the time limit (a hang)\n";
    if (write(2, hung, sizeof hung - 1) < 0) {
        _exit(1);
    }
    print_current();
    _exit(1);
}

static int g_failures;

static void fail(const char *why)
{
    print_current();
    fprintf(stderr, "format_fuzz: %s\n", why);
    exit(1);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Random numbers (splitmix64: one 64-bit state, so a case's seed is all it takes to replay it)
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct rng {
    uint64_t state;
} rng;

static uint64_t next(rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned below(rng *r, unsigned n)
{
    return (unsigned)(next(r) % n);
}

static int chance(rng *r, unsigned percent)
{
    return below(r, 100) < percent;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Arguments: each string in an allocation of exactly its size
 * ------------------------------------------------------------------------------------------------------------- */

static char *exact_narrow(const char *text, size_t bytes)
{
    char *copy = malloc(bytes ? bytes : 1);
    memcpy(copy, text, bytes);
    return copy;
}

static WCHAR *exact_wide(const WCHAR *text, size_t units)
{
    WCHAR *copy = malloc(units ? units * sizeof(WCHAR) : 1);
    memcpy(copy, text, units * sizeof(WCHAR));
    return copy;
}

static WCHAR *widen(const char *ascii) /* NUL-terminated, exact size */
{
    size_t n = strlen(ascii) + 1;
    WCHAR *w = malloc(n * sizeof(WCHAR));
    for (size_t i = 0; i < n; i++) {
        w[i] = (WCHAR)(unsigned char)ascii[i];
    }
    return w;
}

/* ASCII texts, each as a narrow and a wide NUL-terminated string (the checked cases use these) */
#define TEXTS 8
static const char *g_ascii[TEXTS];
static char *g_narrow[TEXTS];
static WCHAR *g_wide[TEXTS];

/* For the junk cases, beyond those: strings with bytes above 0x7F, UTF-16 with surrogates (paired and lone), counted
 * strings of odd and zero length, without a terminator, with a NUL inside, with a NULL Buffer. */
#define EXTRA_NARROW 3
#define EXTRA_WIDE 5
#define COUNTED 10
static char *g_narrow_extra[EXTRA_NARROW];
static WCHAR *g_wide_extra[EXTRA_WIDE];
static UNICODE_STRING g_unicode[COUNTED];
static ANSI_STRING g_ansi[COUNTED];
static char *g_long_text; /* 5000 bytes: longer than any output */

static void make_arguments(void)
{
    static char long_ascii[301];
    memset(long_ascii, 'L', 300);
    static const char *ascii[TEXTS] = { "", "a", "abc", "wide", "hello world", "(null)", "0123456789abcdef", long_ascii };
    for (int i = 0; i < TEXTS; i++) {
        g_ascii[i] = ascii[i];
        g_narrow[i] = exact_narrow(ascii[i], strlen(ascii[i]) + 1);
        g_wide[i] = widen(ascii[i]);
    }
    g_narrow_extra[0] = exact_narrow("N\xC3\xBCmero \xC3\xA9t\xC3\xA9", 14);
    g_narrow_extra[1] = exact_narrow("\xFF\x80\x01\x7F", 5);
    g_narrow_extra[2] = exact_narrow("%d%s%n%*.*d", 12); /* a format as an argument: printed, never parsed */
    static const WCHAR umlaut[] = L"N\u00fcmero \u00e9t\u00e9";
    static const WCHAR pair[] = { 'x', 0xD83D, 0xDE00, 'y', 0 };      /* U+1F600 */
    static const WCHAR lone_high[] = { 'a', 0xD800, 0 };              /* ends inside a pair */
    static const WCHAR lone_low[] = { 0xDC00, 'b', 0xDFFF, 0 };
    static const WCHAR cjk[] = { 0x4E2D, 0x6587, 0x20AC, 0x7FF, 0x800, 0xFFFF, 0 };
    g_wide_extra[0] = exact_wide(umlaut, sizeof umlaut / sizeof(WCHAR));
    g_wide_extra[1] = exact_wide(pair, 5);
    g_wide_extra[2] = exact_wide(lone_high, 3);
    g_wide_extra[3] = exact_wide(lone_low, 4);
    g_wide_extra[4] = exact_wide(cjk, 7);
    /* Counted strings: Buffer holds exactly Length bytes, no terminator (UNICODE_STRING's Length may be odd). */
    static const struct { const char *text; USHORT length; USHORT maximum; } counted[COUNTED] = {
        { "abcdef", 6, 6 }, { "abcdef", 5, 8 }, { "abc", 3, 3 }, { "", 0, 0 }, { "a\0bc", 4, 4 },
        { "xyz", 1, 1 }, { "tail", 4, 2 } /* Length > MaximumLength: Length is what counts */,
        { "0123456789", 10, 10 }, { NULL, 0, 0 } /* NULL Buffer */, { "q", 1, 1 },
    };
    for (int i = 0; i < COUNTED; i++) {
        if (counted[i].text == NULL) {
            g_unicode[i] = (UNICODE_STRING){ 4, 4, NULL };
            g_ansi[i] = (ANSI_STRING){ 4, 4, NULL };
            continue;
        }
        USHORT n = counted[i].length;
        g_ansi[i] = (ANSI_STRING){ n, counted[i].maximum, exact_narrow(counted[i].text, n) };
        /* the wide Buffer has n bytes: n / 2 whole WCHARs and, for an odd n, half of one (never to be read) */
        WCHAR *w = malloc(n ? n : 1);
        for (USHORT k = 0; k < n / 2; k++) {
            w[k] = (WCHAR)(unsigned char)counted[i].text[k];
        }
        if (n % 2) {
            ((unsigned char *)w)[n - 1] = 'Z';
        }
        g_unicode[i] = (UNICODE_STRING){ n, counted[i].maximum, w };
    }
    g_long_text = malloc(5001);
    memset(g_long_text, 'T', 5000);
    g_long_text[5000] = 0;
}

static long long random_int(rng *r)
{
    static const long long edges[] = { 0, 1, -1, INT_MIN, INT_MAX, INT_MIN + 1, INT_MAX - 1, 0x7F, 0x80, 0xFF,
                                       0x7FFF, 0x8000, 0xFFFF, -129, 100000, 1000000000 };
    switch (below(r, 3)) {
    case 0: return edges[below(r, sizeof edges / sizeof edges[0])];
    case 1: return (long long)below(r, 601) - 300;
    default: return (long long)(int32_t)(uint32_t)next(r);
    }
}

static unsigned long long random_int64(rng *r)
{
    static const unsigned long long edges[] = { 0, 1, ~0ull, 0x8000000000000000ull, 0x7FFFFFFFFFFFFFFFull,
                                                0xFFFFFFFFull, 0x100000000ull, 0x123456789ABCDEF0ull };
    if (chance(r, 40)) {
        return edges[below(r, sizeof edges / sizeof edges[0])];
    }
    return chance(r, 50) ? next(r) : (unsigned long long)below(r, 1000000);
}

/* ---------------------------------------------------------------------------------------------------------------
 * The argument source the formatter reads from: random values of the kind asked for, logged, and replayed for the
 * calls with smaller caps (the same case must take the same arguments)
 * ------------------------------------------------------------------------------------------------------------- */

#define MAX_ARGS 1024

typedef struct source {
    rng *r;
    mpt_arg_kind kinds[MAX_ARGS];
    mpt_arg values[MAX_ARGS];
    size_t count;  /* logged */
    size_t cursor; /* read in this call */
    int replay;    /* return the log instead of drawing */
} source;

static mpt_arg draw(rng *r, mpt_arg_kind kind)
{
    mpt_arg arg;
    switch (kind) {
    case MPT_ARG_INT: arg.i = random_int(r); break;
    case MPT_ARG_UINT: arg.u = (unsigned)random_int(r); break;
    case MPT_ARG_INT64: arg.i = (long long)random_int64(r); break;
    case MPT_ARG_UINT64: arg.u = random_int64(r); break;
    case MPT_ARG_POINTER: arg.p = (const void *)(uintptr_t)random_int64(r); break; /* printed, never read */
    case MPT_ARG_STRING: {
        unsigned pick = below(r, TEXTS + EXTRA_NARROW + 2);
        arg.p = pick < TEXTS ? (const void *)g_narrow[pick] : pick < TEXTS + EXTRA_NARROW ? (const void *)g_narrow_extra[pick - TEXTS]
              : pick == TEXTS + EXTRA_NARROW ? (const void *)g_long_text : NULL;
        break;
    }
    case MPT_ARG_WSTRING: {
        unsigned pick = below(r, TEXTS + EXTRA_WIDE + 1);
        arg.p = pick < TEXTS ? (const void *)g_wide[pick] : pick < TEXTS + EXTRA_WIDE ? (const void *)g_wide_extra[pick - TEXTS] : NULL;
        break;
    }
    case MPT_ARG_UNICODE_STRING: {
        unsigned pick = below(r, COUNTED + 1);
        arg.p = pick < COUNTED ? &g_unicode[pick] : NULL;
        break;
    }
    case MPT_ARG_ANSI_STRING: {
        unsigned pick = below(r, COUNTED + 1);
        arg.p = pick < COUNTED ? &g_ansi[pick] : NULL;
        break;
    }
    default:
        fail("the formatter asked for an argument kind mpt_format.h does not define");
        arg.p = NULL;
        break;
    }
    return arg;
}

static mpt_arg fetch(void *context, mpt_arg_kind kind)
{
    source *s = context;
    if (s->replay) {
        if (s->cursor >= s->count) {
            fail("the formatter took more arguments than in the first call (or than predicted)");
        }
        if (s->kinds[s->cursor] != kind) {
            fail("the formatter took an argument of another kind than in the first call (or than predicted)");
        }
        return s->values[s->cursor++];
    }
    if (s->count >= MAX_ARGS) {
        fail("the formatter took more arguments than the format has characters");
    }
    s->kinds[s->count] = kind;
    s->values[s->count] = draw(s->r, kind);
    s->cursor++;
    return s->values[s->count++];
}

/* ---------------------------------------------------------------------------------------------------------------
 * One case: the full output, then every smaller cap
 * ------------------------------------------------------------------------------------------------------------- */

#define FULL_CAP 1024 /* the DbgPrint wrappers' buffer */

static size_t format_into(char *out, size_t cap, const char *format, source *s)
{
    s->cursor = 0;
    size_t n = mpt_format_from(out, cap, format, fetch, s);
    if (cap == 0) {
        if (n != 0) {
            fail("cap 0: returned a length");
        }
        return 0;
    }
    if (n >= cap) {
        fail("returned a length beyond the cap");
    }
    if (memchr(out, 0, cap) == NULL || strlen(out) != n) {
        fail("the output is not NUL-terminated where the returned length says");
    }
    return n;
}

/* Runs format at FULL_CAP and at smaller caps; expected (or NULL) is the whole output it must give. */
static void run_case(const char *format, source *s, const char *expected)
{
    char *full = malloc(FULL_CAP);
    size_t full_length = format_into(full, FULL_CAP, format, s);
    if (expected != NULL && strcmp(full, expected) != 0) {
        fprintf(stderr, "format_fuzz: got      \"%s\"\nformat_fuzz: expected \"%s\"\n", full, expected);
        fail("the output differs from the C library's");
    }
    if (expected != NULL && s->cursor != s->count) {
        fail("the formatter took fewer arguments than predicted");
    }
    s->replay = 1;
    size_t caps[] = { 0, 1, 2, 7, 1 + below(s->r, 64), 1 + below(s->r, FULL_CAP) };
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        size_t cap = caps[c];
        char *out = malloc(cap); /* exactly cap bytes: a write past it is a finding (malloc(0) included) */
        if (out == NULL && cap != 0) {
            fail("out of memory");
        }
        size_t n = format_into(out, cap, format, s);
        if (cap > 0) {
            if (memcmp(out, full, n) != 0) {
                fail("a smaller cap gave text that is not a prefix of the full output");
            }
            /* the cap is used: short of it only by what is missing from the full text, or by a UTF-8 sequence that
             * did not fit whole (at most 3 bytes of room left over) */
            if (n < full_length && cap - 1 - n > 3) {
                fail("a smaller cap stopped early");
            }
        }
        free(out);
    }
    free(full);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Junk cases
 * ------------------------------------------------------------------------------------------------------------- */

static const char *const g_tokens[] = {
    "%", "%", "%", "%", "%", "%", "%", "%",
    "-", "+", " ", "#", "0", "-------------------", "-+ #0-+ #0",
    "1", "2", "5", "9", "0", "12", "2147483647", "2147483648", "4294967296", "99999999999999999999",
    "*", "*", "*", ".", ".", ".",
    "h", "hh", "l", "ll", "I", "I32", "I64", "I6", "I3", "w", "z",
    "d", "i", "u", "x", "X", "o", "p", "c", "C", "s", "S", "Z", "n", "%", "e", "q",
    "\xC3\xA9", "\xFF", " ", "abc",
};

static void make_junk(rng *r, char *format, size_t cap)
{
    format[0] = 0;
    unsigned tokens = 1 + below(r, 24);
    for (unsigned t = 0; t < tokens; t++) {
        if (chance(r, 10)) {
            char byte[2] = { (char)(1 + below(r, 255)), 0 }; /* any byte but NUL */
            append(format, cap, byte);
        } else {
            append(format, cap, g_tokens[below(r, sizeof g_tokens / sizeof g_tokens[0])]);
        }
    }
    if (chance(r, 3)) { /* a flag run far longer than any spec buffer */
        size_t at = strlen(format);
        size_t n = 200 + below(r, 800);
        for (size_t k = 0; k < n && at + 1 < cap; k++) format[at++] = "-+ #0"[below(r, 5)];
        format[at] = 0;
        append(format, cap, chance(r, 50) ? "*.*d" : "5.3ws");
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * Checked cases: directives C and glibc define the same way, with the output glibc gives for each
 * ------------------------------------------------------------------------------------------------------------- */

static void predict(source *s, mpt_arg_kind kind, mpt_arg value)
{
    if (s->count >= MAX_ARGS) {
        fail("too many predicted arguments");
    }
    s->kinds[s->count] = kind;
    s->values[s->count++] = value;
}

static mpt_arg int_arg(long long v) { mpt_arg a; a.i = v; return a; }
static mpt_arg uint_arg(unsigned long long v) { mpt_arg a; a.u = v; return a; }
static mpt_arg ptr_arg(const void *v) { mpt_arg a; a.p = v; return a; }

/* glibc's output for "%<flags>[*][.*]<rest>" with the width and precision given (or not) and one value. */
#define GLIBC(out, cap, flags, has_width, width, has_precision, precision, rest, value) do {             \
        char spec_[64];                                                                                   \
        snprintf(spec_, sizeof spec_, "%%%s%s%s%s", flags, (has_width) ? "*" : "", (has_precision) ? ".*" : "", rest); \
        if ((has_width) && (has_precision)) snprintf(out, cap, spec_, width, precision, value);          \
        else if (has_width) snprintf(out, cap, spec_, width, value);                                      \
        else if (has_precision) snprintf(out, cap, spec_, precision, value);                              \
        else snprintf(out, cap, spec_, value);                                                            \
    } while (0)

static void make_checked(rng *r, char *format, size_t format_cap, char *expected, size_t expected_cap, source *s)
{
    format[0] = 0;
    expected[0] = 0;
    unsigned pieces = 1 + below(r, 6);
    for (unsigned piece = 0; piece < pieces; piece++) {
        char text[700];
        if (chance(r, 30)) { /* literal text */
            unsigned n = 1 + below(r, 8);
            for (unsigned k = 0; k < n; k++) {
                char c;
                do c = (char)(0x20 + below(r, 0x5F)); while (c == '%');
                text[k] = c;
            }
            text[n] = 0;
            append(format, format_cap, text);
            append(expected, expected_cap, text);
            continue;
        }
        if (chance(r, 4)) {
            append(format, format_cap, "%%");
            append(expected, expected_cap, "%");
            continue;
        }
        /* flags, width, precision as written, and as numbers for glibc */
        char flags[40] = "";
        unsigned flag_count = chance(r, 5) ? 30 : below(r, 5);
        for (unsigned k = 0; k < flag_count; k++) flags[k] = "-+ #0"[below(r, 5)];
        flags[flag_count] = 0;
        char directive[128];
        snprintf(directive, sizeof directive, "%%%s", flags);
        int has_width = 0, width = 0, has_precision = 0, precision = 0;
        unsigned width_form = below(r, 3); /* none, digits, '*' */
        if (width_form == 1) {
            has_width = 1;
            width = 1 + (int)below(r, 40); /* no leading 0: that would be a flag */
            snprintf(directive + strlen(directive), sizeof directive - strlen(directive), "%d", width);
        } else if (width_form == 2) {
            has_width = 1;
            width = (int)below(r, 81) - 40;
            append(directive, sizeof directive, "*");
        }
        unsigned precision_form = below(r, 4); /* none, '.', digits, '*' */
        if (precision_form == 1) {
            has_precision = 1;
            append(directive, sizeof directive, ".");
        } else if (precision_form == 2) {
            has_precision = 1;
            precision = (int)below(r, 31);
            snprintf(directive + strlen(directive), sizeof directive - strlen(directive), ".%d", precision);
        } else if (precision_form == 3) {
            has_precision = 1;
            precision = (int)below(r, 36) - 5; /* negative: as if none, for both */
            append(directive, sizeof directive, ".*");
        }
        if (width_form == 2) predict(s, MPT_ARG_INT, int_arg(width));
        if (precision_form == 3) predict(s, MPT_ARG_INT, int_arg(precision));
        int left = strchr(flags, '-') != NULL;

        switch (below(r, 6)) {
        case 0: case 1: { /* an integer */
            static const struct { const char *modifier; int bits; } sizes[] = {
                { "", 32 }, { "hh", 8 }, { "h", 16 }, { "l", 32 }, { "ll", 64 }, { "I64", 64 }, { "I32", 32 },
                { "I", 64 }, { "z", 64 }, { "w", 32 },
            };
            int size = (int)below(r, sizeof sizes / sizeof sizes[0]);
            char conversion = "diuxXo"[below(r, 6)];
            int is_signed = conversion == 'd' || conversion == 'i';
            int bits = sizes[size].bits;
            unsigned long long raw = bits == 64 ? random_int64(r) : (unsigned long long)random_int(r);
            char rest[4] = { 'l', 'l', conversion, 0 };
            if (is_signed) {
                long long v = bits == 8 ? (signed char)raw : bits == 16 ? (short)raw : bits == 32 ? (int)raw : (long long)raw;
                predict(s, bits == 64 ? MPT_ARG_INT64 : MPT_ARG_INT, int_arg(bits == 64 ? (long long)raw : (int)raw));
                GLIBC(text, sizeof text, flags, has_width, width, has_precision, precision, rest, v);
            } else {
                unsigned long long v = bits == 8 ? (unsigned char)raw : bits == 16 ? (unsigned short)raw : bits == 32 ? (unsigned)raw : raw;
                predict(s, bits == 64 ? MPT_ARG_UINT64 : MPT_ARG_UINT, uint_arg(bits == 64 ? raw : (unsigned)raw));
                GLIBC(text, sizeof text, flags, has_width, width, has_precision, precision, rest, v);
            }
            append(directive, sizeof directive, sizes[size].modifier);
            char c[2] = { conversion, 0 };
            append(directive, sizeof directive, c);
            break;
        }
        case 2: { /* a string, narrow or wide, NULL printing "(null)" as the Windows CRT does (glibc prints it only
                   * when the precision lets all of it through, so glibc is given the text) */
            static const char *const forms[] = { "s", "hs", "hS", "ws", "ls", "S", "wS" };
            int form = (int)below(r, sizeof forms / sizeof forms[0]);
            int wide = form >= 3;
            int pick = (int)below(r, TEXTS + 1);
            const char *shown = pick < TEXTS ? g_ascii[pick] : "(null)";
            if (wide) predict(s, MPT_ARG_WSTRING, ptr_arg(pick < TEXTS ? (const void *)g_wide[pick] : NULL));
            else predict(s, MPT_ARG_STRING, ptr_arg(pick < TEXTS ? (const void *)g_narrow[pick] : NULL));
            GLIBC(text, sizeof text, flags, has_width, width, has_precision, precision, "s", shown);
            append(directive, sizeof directive, forms[form]);
            break;
        }
        case 3: { /* a character: glibc ignores a precision on %c, and so does the formatter */
            static const char *const forms[] = { "c", "hc", "C", "wc", "lc" };
            int form = (int)below(r, sizeof forms / sizeof forms[0]);
            int c = form >= 2 ? 1 + (int)below(r, 127) : 1 + (int)below(r, 255); /* wide: ASCII, one UTF-8 byte */
            predict(s, MPT_ARG_INT, int_arg(c));
            GLIBC(text, sizeof text, flags, has_width, width, 0, 0, "c", c);
            append(directive, sizeof directive, forms[form]);
            break;
        }
        case 4: { /* a counted string: the width applies, a precision does not; up to a NUL inside the count */
            int wide = chance(r, 50);
            int pick = (int)below(r, COUNTED + 1);
            char shown[64] = "(null)";
            if (pick < COUNTED && g_ansi[pick].Buffer != NULL) {
                size_t n = 0;
                size_t count = wide ? g_unicode[pick].Length / 2u : g_ansi[pick].Length;
                while (n < count && g_ansi[pick].Buffer[n] != 0) n++;
                memcpy(shown, g_ansi[pick].Buffer, n);
                shown[n] = 0;
            }
            if (wide) predict(s, MPT_ARG_UNICODE_STRING, ptr_arg(pick < COUNTED ? &g_unicode[pick] : NULL));
            else predict(s, MPT_ARG_ANSI_STRING, ptr_arg(pick < COUNTED ? &g_ansi[pick] : NULL));
            GLIBC(text, sizeof text, left ? "-" : "", has_width, width, 0, 0, "s", shown);
            append(directive, sizeof directive, wide ? "wZ" : "Z");
            break;
        }
        default: { /* %p: 16 upper-case hex digits whatever the flags; the width and '-' apply */
            unsigned long long v = random_int64(r);
            char digits[17];
            snprintf(digits, sizeof digits, "%016llX", v);
            predict(s, MPT_ARG_POINTER, ptr_arg((const void *)(uintptr_t)v));
            GLIBC(text, sizeof text, left ? "-" : "", has_width, width, 0, 0, "s", digits);
            append(directive, sizeof directive, "p");
            break;
        }
        }
        append(format, format_cap, directive);
        append(expected, expected_cap, text);
    }
    expected[expected_cap < FULL_CAP ? expected_cap - 1 : FULL_CAP - 1] = 0; /* what fits in the full output */
}

/* ---------------------------------------------------------------------------------------------------------------
 * Fixed cases, through the DbgPrint wrapper and a real va_list
 * ------------------------------------------------------------------------------------------------------------- */

static char g_printed[FULL_CAP];

static VOID capture(ULONG level, PCSTR text)
{
    (void)level;
    snprintf(g_printed, sizeof g_printed, "%s", text);
}

/* mpt_format with a va_list into a buffer of exactly cap bytes, compared with expected. */
static void expect_cap(size_t cap, const char *expected, const char *format, ...)
{
    describe("fixed case", NULL, format);
    char *out = malloc(cap);
    va_list args;
    va_start(args, format);
    mpt_format(out, cap, format, args);
    va_end(args);
    if (cap > 0 && strcmp(out, expected) != 0) {
        fprintf(stderr, "format_fuzz: got      \"%s\"\nformat_fuzz: expected \"%s\"\n", out, expected);
        print_current();
        g_failures++;
    }
    free(out);
}

#define EXPECT(expected, ...) expect_cap(64, expected, __VA_ARGS__)

/* text, then spaces (or c) up to the 63 characters of a 64-byte buffer */
static const char *filled(const char *text, char c)
{
    static char out[64];
    memset(out, c, 63);
    memcpy(out, text, strlen(text));
    out[63] = 0;
    return out;
}

static void fixed_cases(void)
{
    /* The overflow of issue 21: a '*' width of INT_MIN (the '-' flag and 2^31) after a long flag run wrote past the
     * 32-byte spec buffer. */
    EXPECT(filled("5", ' '), "%-------------------*.*d", INT_MIN, INT_MIN, 5);
    EXPECT(filled("005", ' '), "%-------------------*.*d", INT_MIN, 3, 5);
    EXPECT(filled("-2147483648", ' '), "%-------------------*.*d", INT_MIN, INT_MIN, INT_MIN);
    EXPECT(filled("", ' '), "%*d|", INT_MAX, 5);       /* was 4 s of padding into a scratch buffer */
    EXPECT(filled("", ' '), "%2147483647d|", 5);
    EXPECT(filled("", '0'), "%.*d|", INT_MAX, 5);      /* was 4 s as well */
    EXPECT(filled("", ' '), "%99999999999d|", 5);      /* was an empty directive: glibc refused the width */
    EXPECT(filled("", '0'), "%.1234567890123456789d|", 5);
    EXPECT("         5|", "%*.*d|", 10, INT_MIN, 5);   /* a negative precision is none (was "%10.0-2147483648lld") */
    EXPECT("5    |", "%------------------------------------*.*lld|", -5, -5, 5LL);
    {
        char flags[1203] = "%";
        memset(flags + 1, '-', 1000);
        strcpy(flags + 1001, "5d|");
        EXPECT("7    |", flags, 7);
    }
    /* Strings are read no further than their precision or count (each buffer here has no terminator). */
    {
        WCHAR *w = exact_wide(L"ab", 2);
        EXPECT("ab|a|", "%.*ws|%.1ws|", 2, w, w); /* was a read past the buffer */
        free(w);
        char *n = exact_narrow("abc", 3);
        EXPECT("abc| ab|", "%.3s|%3.2s|", n, n);
        free(n);
        WCHAR *odd = malloc(5);
        memcpy(odd, L"xy", 4);
        ((char *)odd)[4] = 'z';
        UNICODE_STRING u = { 5, 5, odd };                  /* 5 bytes: 2 whole WCHARs */
        char *a = exact_narrow("counted", 4);
        ANSI_STRING s = { 4, 4, a };
        EXPECT("xy|   xy|coun|coun  |", "%wZ|%5wZ|%.1Z|%-6Z|", &u, &u, &s, &s);
        free(odd);
        free(a);
    }
    /* NULL strings print "(null)", cut by a precision as any string; so do a NULL or Buffer-less counted string. */
    {
        UNICODE_STRING empty = { 2, 2, NULL };
        EXPECT("(null)|(null)|(null)|(null)|(nu|(null)", "%s|%ws|%wZ|%Z|%.3s|%wZ", (char *)NULL, (WCHAR *)NULL,
               (UNICODE_STRING *)NULL, (ANSI_STRING *)NULL, (char *)NULL, &empty);
    }
    /* A '%' at the end and unknown directives are copied as written. */
    EXPECT("abc%", "abc%");
    EXPECT("%-", "%-");
    EXPECT("%I", "%I");
    EXPECT("%ll", "%ll");
    EXPECT("%I6", "%I6");
    EXPECT("%q|%5.3y|%hhk|%n", "%q|%5.3y|%hhk|%n");
    EXPECT("%*q 5", "%*q %d", 9, 5);                     /* the '*' still takes its int */
    /* The line NativeStorportMiniportTests.DbgPrint_FormatsWithWindowsSemantics checks, through DbgPrint itself. */
    {
        static MPT_DDI_TABLE table;
        table.MptDebugPrint = capture;
        g_mpt = &table;
        static WCHAR name[] = L"N\u00fcmero \u00e9t\u00e9";
        UNICODE_STRING unicode = { (USHORT)(sizeof name - sizeof(WCHAR)), (USHORT)sizeof name, name };
        ULONG ulong = 0xFFFFFFFFu;
        describe("fixed case", NULL, "DbgPrint formats");
        DbgPrint("formats %lx|%I64x|%ws|%wZ|%hd|%5.2s|%%|%c|%lu|%d\n", ulong, 0x123456789ABCDEF0ull, L"wide", &unicode, (SHORT)-2, "abcdef", 'Z', ulong, -7);
        if (strcmp(g_printed, "formats ffffffff|123456789abcdef0|wide|N\xC3\xBCmero \xC3\xA9t\xC3\xA9|-2|   ab|%|Z|4294967295|-7\n") != 0) {
            fprintf(stderr, "format_fuzz: DbgPrint gave \"%s\"\n", g_printed);
            print_current();
            g_failures++;
        }
        DbgPrintEx(0, 3, "%s %I64d", "ex", -5LL);
        if (strcmp(g_printed, "ex -5") != 0) {
            fprintf(stderr, "format_fuzz: DbgPrintEx gave \"%s\"\n", g_printed);
            g_failures++;
        }
        StorPortDebugPrint(0, "%-*.*d|", INT_MIN, INT_MIN, 9);
        if (strlen(g_printed) != FULL_CAP - 1 || g_printed[0] != '9' || strspn(g_printed + 1, " ") != FULL_CAP - 2) { /* "9", spaces to the cap */
            fprintf(stderr, "format_fuzz: StorPortDebugPrint gave \"%.40s...\"\n", g_printed);
            g_failures++;
        }
        g_mpt = NULL;
    }
    /* Sizes: h and hh truncate, l is 32 bits, ll/I64/I/z 64. */
    EXPECT("-25536|44|-128|ff|ffffffff|4294967295", "%hd|%hhu|%hhd|%hhx|%x|%lu", 40000, 300, 0x180, -1, -1, 0xFFFFFFFFu);
    EXPECT("-9223372036854775808|18446744073709551615|7fffffffffffffff|1",
           "%I64d|%llu|%Ix|%zu", (long long)LLONG_MIN, ~0ull, 0x7FFFFFFFFFFFFFFFull, (size_t)1);
    EXPECT("-2147483648|+2147483647|-0005|-5   | 5|+5", "%d|%+d|%05d|%-05d|% d|%+ d", INT_MIN, INT_MAX, -5, -5, 5, 5);
    EXPECT("0|0|0|0x001||0X2A|0052", "%#o|%#.0o|%#x|%#5.3x|%.0d|%#X|%#04o", 0, 0, 0, 1, 0, 42, 42);
    /* %p: 16 upper-case hex digits, the width and '-' apply. */
    EXPECT("0000000000001234|    00000000DEADBEEF|FFFFFFFFFFFFFFFF    |", "%p|%20p|%-#+020p|",
           (void *)0x1234, (void *)0xDEADBEEFull, (void *)~(uintptr_t)0);
    /* Characters: %c narrow, %C/%wc/%lc wide, 'h' narrow; a NUL character prints nothing. */
    EXPECT("Z|\xC3\xA9|   \xE2\x82\xAC|x |A|B||", "%c|%C|%4wc|%-2lc|%hC|%hc|%c|", 'Z', 0xE9, 0x20AC, 'x', 'A', 'B', 0);
    /* %S and %ls wide, %hS narrow (as on Windows); the width and precision count WCHARs. */
    EXPECT("wide|  \xC3\xA9t|nar|\xC3\xA9", "%S|%4ls|%.3hS|%.1ws", L"wide", L"\u00e9t", "narrow", L"\u00e9t\u00e9");
    /* Surrogates: a pair is one character, a lone one U+FFFD. */
    {
        static const WCHAR pair[] = { 0xD83D, 0xDE00, 0 }, lone[] = { 'a', 0xD800, 'b', 0xDC00, 0 }, cut[] = { 0xD83D, 0xDE00, 0 };
        EXPECT("\xF0\x9F\x98\x80|a\xEF\xBF\xBD" "b\xEF\xBF\xBD|\xEF\xBF\xBD|", "%ws|%ws|%.1ws|", pair, lone, cut);
    }
    /* Truncation never cuts a UTF-8 sequence, and the cap is respected to the byte (cap 0: nothing is written). */
    expect_cap(7, "\xC3\xA9\xC3\xA9\xC3\xA9", "%ws", L"\u00e9\u00e9\u00e9\u00e9");
    expect_cap(6, "\xC3\xA9\xC3\xA9", "%ws", L"\u00e9\u00e9\u00e9\u00e9");
    expect_cap(2, "1", "%d", 12345);
    expect_cap(1, "", "%d", 12345);
    {
        char untouched = 'X';
        mpt_format_from(&untouched, 0, "%d", fetch, NULL); /* cap 0: returns before it reads anything */
        if (untouched != 'X') {
            fprintf(stderr, "format_fuzz: cap 0 wrote a byte\n");
            g_failures++;
        }
    }
    /* A string far longer than the buffer: cut at the cap. */
    expect_cap(FULL_CAP, filled("", 'T'), "%.63s", g_long_text);
    /* A NULL format prints "(null)", as a NULL string argument does. */
    EXPECT("(null)", NULL);
}

/* ---------------------------------------------------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
    unsigned long long iterations = argc > 2 ? strtoull(argv[2], NULL, 0) : 2000000;
    double seconds = argc > 3 ? strtod(argv[3], NULL) : 10;
    setvbuf(stdout, NULL, _IOLBF, 0);
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_set_death_callback(print_current); /* a finding names the case that caused it */
#endif
    signal(SIGALRM, on_alarm);
    alarm((unsigned)seconds + 60); /* a hang in one case (the time limit is only checked between cases) */

    make_arguments();
    fixed_cases();
    if (g_failures > 0) {
        fprintf(stderr, "format_fuzz: %d fixed case(s) FAILED\n", g_failures);
        return 1;
    }
    printf("format_fuzz: fixed cases passed; seed %llu, up to %llu cases or %.0f s\n", (unsigned long long)seed, iterations, seconds);

    double start = now();
    unsigned long long done = 0, checked = 0;
    static char format[4096];
    static char expected[4096];
    static source s;
    for (; done < iterations; done++) {
        if ((done & 255) == 0 && now() - start > seconds) {
            break;
        }
        uint64_t case_seed = seed + done;
        rng r = { case_seed };
        next(&r); /* the state is the seed: step once so neighbouring seeds start apart */
        s.r = &r;
        s.count = 0;
        s.cursor = 0;
        if (chance(&r, 50)) {
            make_junk(&r, format, sizeof format);
            describe("junk case", &case_seed, format);
            s.replay = 0;
            run_case(format, &s, NULL);
        } else {
            make_checked(&r, format, sizeof format, expected, sizeof expected, &s);
            describe("checked case", &case_seed, format);
            s.replay = 1;
            run_case(format, &s, expected);
            checked++;
        }
    }
    printf("format_fuzz: PASS: %llu cases (%llu checked against glibc) in %.1f s, seed %llu\n", done, checked, now() - start, (unsigned long long)seed);
    return 0;
}
