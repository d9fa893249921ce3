/*
 * fuzz_control: control-socket requests through the real command
 * dispatcher, ctl_request — JSON parsing, the member type checks, status,
 * reload (dry run or not), drain, undrain, weight, vrrp, add (with checks
 * read by the configuration loader), remove (graceful or not), removals —
 * on a fake parent
 * (tests/unit/fake_vigild.h: one configuration, a dry-run IPVS table, no
 * children). Every reply must be a JSON object with a boolean "ok", an
 * error must say why, and the reply must serialise to one line.
 *
 * Input: a mode byte, then
 *   even: what a client writes — split at newlines as the socket splits
 *         it, each line in a heap block of exactly its length plus the NUL
 *         the socket puts there;
 *   odd:  a request built from the bytes — a command, then for each member
 *         a commands reads a value of any JSON type (absent, null, bool,
 *         integers at the edges, a double, a known or raw string, an array,
 *         an object) — serialised and sent the same way. Byte mutations of
 *         JSON text rarely turn "web" into null and keep the line valid;
 *         this mode reaches every type of every member in seconds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <json-c/json.h>

#include "../unit/fake_vigild.h"
#include "fuzz.h"
#include "control.h"
#include "log.h"



/* Each input starts from the same parent, made afresh: state left by one
 * input (runtime nodes up to their cap of 256, drains, weights) would make
 * the next slower and its crash impossible to reproduce alone. */
static struct fake_vigild fake;

static void fake_unlink(void)
{
	fake_vigild_free(&fake);
}

static struct vigild *parent(void)
{
	static bool made;
	if (!made) {
		log_init("fuzz_control", false, false);
		setlogmask(LOG_MASK(LOG_EMERG));   /* the daemon never logs at EMERG */
		atexit(fake_unlink);
		made = true;
	} else {
		fake_vigild_free(&fake);
	}
	if (fake_vigild_init(&fake) < 0)
		abort();
	return &fake.d;
}

static void check_reply(struct json_object *r)
{
	struct json_object *ok, *err;
	FUZZ_CHECK(r && json_object_is_type(r, json_type_object));
	FUZZ_CHECK(json_object_object_get_ex(r, "ok", &ok) && json_object_is_type(ok, json_type_boolean));
	if (!json_object_get_boolean(ok)) {
		FUZZ_CHECK(json_object_object_get_ex(r, "error", &err));
		FUZZ_CHECK(json_object_is_type(err, json_type_string) && json_object_get_string_len(err) > 0);
	}
	const char *txt = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN);
	FUZZ_CHECK(txt && !strchr(txt, '\n'));
}

static void one_line(struct vigild *d, const char *line)
{
	struct json_object *r = ctl_request(d, line);
	check_reply(r);
	json_object_put(r);
}

static void raw_lines(struct vigild *d, const uint8_t *data, size_t size)
{
	size_t off = 0;
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		if (len) {
			char *line = malloc(len + 1);
			if (!line)
				abort();
			memcpy(line, data + off, len);
			line[len] = '\0';
			one_line(d, line);
			free(line);
		}
		off += len + 1;
	}
}

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t next(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static const char *const words[] = {
	"status", "reload", "drain", "undrain", "weight", "vrrp", "add", "remove", "removals",
	"web", "VI_1", "fwmark:7", "198.51.100.13:80", "tcp", "http", "script", "/health",
	"fwmark:", "192.0.2.10:80", "192.0.2.10:80/udp", "192.0.2.10:80/tcp", "198.51.100.11:80",
	"198.51.100.12:8080", "[2001:db8::11]:443", "2001:db8::11", "", "fwmark:99999999999",
};
#define N_WORDS (sizeof(words) / sizeof(words[0]))
#define N_CMDS 9                      /* words[0..N_CMDS): the commands */
/* Members of an object value: a request's, and a check's. */
static const char *const members[] = { "vs", "type", "path", "status", "interval", "rise" };

/* One value of the type the next byte picks; NULL is JSON null. */
static struct json_object *value(struct in *in, int depth)
{
	uint8_t k = next(in);
	switch (k % 10) {
	case 0:
		return NULL;
	case 1:
		return json_object_new_boolean(k & 0x10);
	case 2: {
		static const int64_t edges[] = { 0, 1, -1, 65535, 65536, INT32_MAX, INT32_MIN,
						 (int64_t)INT32_MAX + 1, INT64_MAX, INT64_MIN };
		return json_object_new_int64(edges[(k >> 4) % 10]);
	}
	case 3:
		return json_object_new_int64((int64_t)(int8_t)next(in) * 1000 + next(in));
	case 4:
		return json_object_new_double(k & 0x10 ? 5.0 : 1e300);
	case 5: case 6:
		return json_object_new_string(words[next(in) % N_WORDS]);
	case 7: {
		size_t len = next(in) % 24;
		len = len < in->n ? len : in->n;
		struct json_object *s = json_object_new_string_len((const char *)in->p, (int)len);
		in->p += len;
		in->n -= len;
		return s;
	}
	case 8: {
		struct json_object *a = json_object_new_array();
		if (depth < 3)
			json_object_array_add(a, value(in, depth + 1));
		return a;
	}
	default: {
		struct json_object *o = json_object_new_object();
		if (depth < 3)
			json_object_object_add(o, members[(k >> 4) % 6], value(in, depth + 1));
		return o;
	}
	}
}

static void built_request(struct vigild *d, const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "cmd", "vs", "rs", "weight", "dry_run", "instance",
					    "checks", "forwarding", "graceful", "timeout" };
	struct in in = { data, size };
	struct json_object *req = json_object_new_object();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint8_t how = next(&in);
		if (how & 1)
			continue;   /* absent */
		if (i == 0 && !(how & 2))   /* mostly a real command */
			json_object_object_add(req, "cmd", json_object_new_string(words[(how >> 2) % N_CMDS]));
		else
			json_object_object_add(req, keys[i], value(&in, 0));
	}
	one_line(d, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
	json_object_put(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigild *d = parent();
	if (!size)
		return 0;
	if (data[0] & 1)
		built_request(d, data + 1, size - 1);
	else
		raw_lines(d, data + 1, size - 1);
	return 0;
}
