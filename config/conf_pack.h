/*
 * conf_pack: a validated configuration as one flat blob, so the parent
 * hands each child exactly the generation it validated — never whatever
 * is on disk when the child (re)starts — and the vrrp child gets only the
 * part it runs, whatever the size of the virtual-server section.
 *
 *   parent: conf_load (validate) ─> conf_pack(view) ─> blob + hash
 *             ─> IPC_CONF_DATA chunks + IPC_RELOAD(generation, size, hash)
 *   child:  reassemble ─> conf_unpack (magic, size, hash, bounds) ─> struct conf
 *
 * The blob is the structs' own bytes (both ends are the same binary:
 * the children are re-executions of the parent's image) with every
 * pointer cleared and its target written after the struct: strings as
 * length + bytes, arrays as a count + elements. The same field lists
 * drive packing, clearing and unpacking, so the three cannot disagree.
 */
#ifndef VIGIL_CONF_PACK_H
#define VIGIL_CONF_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct errbuf;

/* Which part of a configuration a process runs. */
enum conf_view {
	CONF_VIEW_ALL,                /* everything */
	CONF_VIEW_CHECKER,            /* global + virtual servers */
	CONF_VIEW_VRRP,               /* global + VRRP instances, groups, scripts */
	CONF_VIEW_SNMP,               /* global + virtual servers + VRRP instances */
};

struct conf_blob {
	uint8_t *data;
	size_t len;
	uint64_t hash;                /* of the whole blob (conf_hash) */
};

/* Packs the view of c. Returns 0, or -ENOMEM (out->data NULL). */
int conf_pack(const struct conf *c, enum conf_view view, struct conf_blob *out);
void conf_blob_free(struct conf_blob *b);

/* Rebuilds a configuration from a blob, checking its frame and every
 * length against the bytes there are. Returns a conf to free with
 * conf_free(), or NULL with the reason in eb. */
struct conf *conf_unpack(const void *data, size_t len, struct errbuf *eb);

/* A 64-bit hash (multiply-xorshift over words, FNV-1a over the tail):
 * enough to tell a blob damaged or mixed up in transit. */
uint64_t conf_hash(const void *data, size_t len);

#endif
