/*
 * fuzz_status_http: the status page's request routing
 * (status_http_parse) on any bytes a client can send, fed the way the
 * server feeds it: the whole head so far is parsed again at each arrival,
 * the server stops at the first decision and never holds more than
 * STATUS_HTTP_HEAD_MAX bytes.
 *
 * Input: a control byte (how many partial arrivals precede the rest, in
 * its low 4 bits), then the bytes. Each arrival sits in a heap block of
 * exactly its length (no NUL after it), so a read past what arrived is an
 * AddressSanitizer report. A decision must be a known status with a page
 * only for 200, a reason for every error, HEAD only for a HEAD request.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_http.h"
#include "fuzz.h"



static void check_decision(const char *buf, size_t len, const struct status_req *req)
{
	switch (req->code) {
	case 200:
		FUZZ_CHECK(req->page != STATUS_PAGE_NONE && !req->why);
		break;
	case 400: case 404: case 405:
		FUZZ_CHECK(req->page == STATUS_PAGE_NONE && req->why && *req->why);
		break;
	default:
		FUZZ_CHECK(!"unknown status");
	}
	if (req->head_only)
		FUZZ_CHECK(len >= 5 && !memcmp(buf, "HEAD ", 5));
	if (req->code == 200 || req->code == 404)
		FUZZ_CHECK(len >= 4 && (!memcmp(buf, "GET ", 4) || !memcmp(buf, "HEAD ", 5)));
}

/* One arrival: the first len bytes in a block of exactly that size. */
static int arrive(const uint8_t *data, size_t len)
{
	char *buf = malloc(len ? len : 1);
	if (!buf)
		abort();
	memcpy(buf, data, len);
	struct status_req req;
	int r = status_http_parse(buf, len, &req);
	FUZZ_CHECK(r == 0 || r == 1);
	if (r)
		check_decision(buf, len, &req);
	else
		FUZZ_CHECK(len < STATUS_HTTP_HEAD_MAX);
	free(buf);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	unsigned parts = data[0] & 0x0f;
	data++;
	size--;
	if (size > STATUS_HTTP_HEAD_MAX)
		size = STATUS_HTTP_HEAD_MAX;   /* the server reads no more */
	for (unsigned i = 1; i <= parts; i++)
		if (arrive(data, size * i / (parts + 1)))
			return 0;
	(void)arrive(data, size);
	return 0;
}
