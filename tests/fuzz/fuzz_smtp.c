/*
 * fuzz_smtp: the smtp check's reply parser (chk_smtp_reply, checkers/
 * chk_smtp.c) on any bytes a mail server can send, read as the check
 * reads them: reply after reply from one buffer (greeting, then the
 * answer to HELO), each from where the last one ended.
 *
 * Input: the server's bytes, in a heap block of exactly their length.
 */
#include "chk_parsers.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	size_t seen = 0;
	for (;;) {
		int code = 0;
		size_t used = 0;
		int r = chk_smtp_reply(buf + seen, size - seen, &code, &used);
		FUZZ_CHECK(r >= -1 && r <= 1);
		if (r != 1)
			break;
		FUZZ_CHECK(code >= 200 && code <= 599);
		FUZZ_CHECK(used > 0 && used <= size - seen);
		FUZZ_CHECK(buf[seen + used - 1] == '\n');
		seen += used;
	}
	free(buf);
	return 0;
}
