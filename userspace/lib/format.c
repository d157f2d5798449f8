// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library's and the shim's one formatter: the conversions their
 * messages use (%s %d %u %x %zd), and nothing a signal handler may not
 * call. snprintf() and strerror() are not async-signal-safe: after
 * setlocale() strerror() goes through gettext, which allocates, and
 * eventfd() under the shim is reached from signal handlers.
 */
#include <stdarg.h>
#include <string.h>
#include <sys/types.h>

#include "internal.h"

struct oefd_out {
	char *pos;
	char *end;	/* the last byte, kept for the terminating NUL */
};

static void oefd_put_char(struct oefd_out *out, char c)
{
	if (out->pos < out->end)
		*out->pos++ = c;
}

static void oefd_put_str(struct oefd_out *out, const char *s)
{
	while (*s)
		oefd_put_char(out, *s++);
}

static void oefd_put_num(struct oefd_out *out, unsigned long long value, unsigned int base)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	while (n)
		oefd_put_char(out, digits[--n]);
}

static void oefd_put_signed(struct oefd_out *out, long long value)
{
	if (value < 0)
		oefd_put_char(out, '-');
	oefd_put_num(out, value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value, 10);
}

/* One conversion at *fmt (after the '%'); returns the first character after it. */
static const char *oefd_convert(struct oefd_out *out, const char *fmt, va_list *ap)
{
	switch (*fmt) {
	case 's':
		oefd_put_str(out, va_arg(*ap, const char *));
		break;
	case 'd':
		oefd_put_signed(out, va_arg(*ap, int));
		break;
	case 'u':
		oefd_put_num(out, va_arg(*ap, unsigned int), 10);
		break;
	case 'x':
		oefd_put_num(out, va_arg(*ap, unsigned int), 16);
		break;
	case 'z':	/* %zd */
		oefd_put_signed(out, va_arg(*ap, ssize_t));
		return fmt + 2;
	default:	/* %% */
		oefd_put_char(out, *fmt);
	}
	return fmt + 1;
}

void oefd_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct oefd_out out = { buf, buf + size - 1 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt == '%')
			fmt = oefd_convert(&out, fmt + 1, &args);
		else
			oefd_put_char(&out, *fmt++);
	}
	va_end(args);
	*out.pos = '\0';
}

void oefd_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	oefd_vformat(buf, size, fmt, ap);
	va_end(ap);
}

/* strerror() without gettext: the English text, from a constant table. */
const char *oefd_strerror(int err)
{
	const char *text = strerrordesc_np(err);

	return text ? text : "unknown error";
}
