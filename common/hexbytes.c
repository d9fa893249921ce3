/*
 * hexbytes: hexadecimal text to bytes and a masked prefix match (see
 * hexbytes.h). No allocation, no state.
 */
#include "hexbytes.h"

#include <errno.h>

static int nibble(char c, bool wild, uint8_t *v, uint8_t *m)
{
	*m = 0xf;
	if (c >= '0' && c <= '9')
		*v = (uint8_t)(c - '0');
	else if (c >= 'a' && c <= 'f')
		*v = (uint8_t)(c - 'a' + 10);
	else if (c >= 'A' && c <= 'F')
		*v = (uint8_t)(c - 'A' + 10);
	else if ((c == 'x' || c == 'X') && wild)
		*v = 0, *m = 0;
	else
		return -1;
	return 0;
}

long hexbytes_parse(const char *s, bool wild, uint8_t *out, uint8_t *mask, size_t cap,
		    size_t *bad)
{
	size_t n = 0, i = 0;
	while (s[i]) {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		uint8_t hi, lo, mh, ml;
		if (nibble(s[i], wild, &hi, &mh) < 0 || nibble(s[i + 1], wild, &lo, &ml) < 0) {
			if (bad)
				*bad = nibble(s[i], wild, &hi, &mh) == 0 ? i + 1 : i;
			return -EINVAL;
		}
		if (n == cap)
			return -E2BIG;
		if (out)
			out[n] = (uint8_t)(hi << 4 | lo);
		if (mask)
			mask[n] = (uint8_t)(mh << 4 | ml);
		n++;
		i += 2;
	}
	return (long)n;
}

bool hexbytes_prefix(const uint8_t *data, size_t len, const uint8_t *want, const uint8_t *mask,
		     size_t n)
{
	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((data[i] ^ want[i]) & (mask ? mask[i] : 0xff))
			return false;
	return true;
}
