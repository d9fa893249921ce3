/*
 * fuzz: what the libFuzzer harnesses of tests/fuzz share — reading the
 * fuzzer's bytes as a small stream of control fields, exact-size heap
 * copies (so AddressSanitizer flags a read one byte past what a parser
 * was given) and a check that aborts, which libFuzzer reports as a crash
 * with the input that caused it.
 */
#ifndef VIGIL_FUZZ_H
#define VIGIL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,    \
				__LINE__, #cond);                                 \
			abort();                                                  \
		}                                                                 \
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* The next byte, 0 once the input is used up. */
static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* Up to n bytes into out, zero-filled past the end of the input. */
static inline void fuzz_bytes(struct fuzz_in *in, void *out, size_t n)
{
	size_t k = n < in->n ? n : in->n;
	memcpy(out, in->p, k);
	memset((uint8_t *)out + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

/* A heap block of exactly n bytes holding p (the caller frees it). */
static inline void *fuzz_dup(const void *p, size_t n)
{
	void *b = malloc(n);          /* ASan: even malloc(0) is a block of its own */
	if (!b && n)
		abort();
	if (n)
		memcpy(b, p, n);
	return b;
}

#endif
