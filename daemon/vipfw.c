/*
 * vipfw: non-accept mode for strict VRRP instances (vigil.conf(5) strict).
 *
 * RFC 5798 §6.4.2 and §6.4.3: a backup, and a master that is not the
 * addresses' owner and has no Accept_Mode, must not accept packets
 * addressed to the virtual addresses; the master still answers ARP and
 * Neighbor Solicitations for them. vigild keeps the addresses ordinary
 * local addresses (the vrrp child adds them on MASTER) and drops their
 * traffic in a table it owns:
 *
 *   table inet vigil
 *     set vip4 / vip6     the addresses of every strict instance without accept
 *     chain input         hook input, priority -1: VRRP and ND accepted here,
 *                         then daddr in the sets dropped
 *     chain output        hook output, priority -1: the same by saddr
 *
 * ARP is not IP, so the inet family never sees it. The sets come from the
 * configuration alone, not the instances' states: a backup has no address
 * to receive for, and a master drops what it is not allowed to take
 * without the vrrp child ever waiting on nftables. The parent (root)
 * writes the table at start, before the children add any address, and at
 * each reload, and removes it on stop. Each write is one transaction
 * ("add table; delete table; table { ... }"), so a table left by a crash
 * is replaced atomically and no user table is ever read or touched.
 * libnftables rather than the nft program: nothing to exec or find in
 * PATH, and the error comes back as text in the same call.
 */
#include "vipfw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "addr.h"
#include "log.h"
#include "vigild.h"

#define VRRP_PROTO 112
#define HEAD "add table inet " VIPFW_TABLE "\ndelete table inet " VIPFW_TABLE "\n"

static bool enforced(const struct vrrp_inst_conf *vi)
{
	return vi->strict && !vi->accept;
}

bool vipfw_needed(const struct conf *c)
{
	for (unsigned i = 0; i < c->n_vrrp; i++)
		if (enforced(&c->vrrp[i]) && c->vrrp[i].n_vaddrs > 0)
			return true;
	return false;
}

static bool seen_before(const struct conf *c, unsigned inst, unsigned addr)
{
	const struct vaddr *a = &c->vrrp[inst].vaddrs[addr].p.addr;
	for (unsigned i = 0; i <= inst; i++) {
		const struct vrrp_inst_conf *vi = &c->vrrp[i];
		unsigned n = i == inst ? addr : vi->n_vaddrs;
		for (unsigned k = 0; enforced(vi) && k < n; k++)
			if (vaddr_equal(&vi->vaddrs[k].p.addr, a))
				return true;
	}
	return false;
}

/* "set vip4 { ... }" with the family's addresses, the excluded ones too (as
 * keepalived's non-accept mode); false when it has none. */
static bool put_set(FILE *f, const struct conf *c, int family, const char *name)
{
	bool any = false;
	char buf[VADDR_STRLEN];
	for (unsigned i = 0; i < c->n_vrrp; i++) {
		const struct vrrp_inst_conf *vi = &c->vrrp[i];
		for (unsigned k = 0; enforced(vi) && k < vi->n_vaddrs; k++) {
			if (vi->vaddrs[k].p.addr.family != family || seen_before(c, i, k))
				continue;
			if (!any)
				fprintf(f, "\tset %s {\n\t\ttype %s\n\t\telements = { ", name,
					family == AF_INET ? "ipv4_addr" : "ipv6_addr");
			fprintf(f, "%s%s", any ? ", " : "", vaddr_str(&vi->vaddrs[k].p.addr, buf, sizeof(buf)));
			any = true;
		}
	}
	if (any)
		fputs(" }\n\t}\n", f);
	return any;
}

static void put_chain(FILE *f, const char *name, const char *dir, bool v4, bool v6)
{
	fprintf(f, "\tchain %s {\n\t\ttype filter hook %s priority -1; policy accept;\n"
		"\t\tmeta l4proto %d accept\n", name, name, VRRP_PROTO);
	if (v6)
		fputs("\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n", f);
	if (v4)
		fprintf(f, "\t\tip %s @vip4 drop\n", dir);
	if (v6)
		fprintf(f, "\t\tip6 %s @vip6 drop\n", dir);
	fputs("\t}\n", f);
}

char *vipfw_script(const struct conf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fputs(HEAD, f);
	if (vipfw_needed(c)) {
		fputs("table inet " VIPFW_TABLE " {\n"
		      "\tcomment \"vigild: non-accept mode of strict VRRP instances\"\n", f);
		bool v4 = put_set(f, c, AF_INET, "vip4");
		bool v6 = put_set(f, c, AF_INET6, "vip6");
		put_chain(f, "input", "daddr", v4, v6);
		put_chain(f, "output", "saddr", v4, v6);
		fputs("}\n", f);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int run(const char *script, struct errbuf *eb)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return errbuf_set(eb, ENOMEM, "nftables: cannot create a context");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	int r = 0;
	if (nft_run_cmd_from_buffer(nft, script) != 0) {
		const char *msg = nft_ctx_get_error_buffer(nft);
		size_t n = msg ? strcspn(msg, "\n") : 0;
		r = errbuf_set(eb, EIO, "nftables table inet " VIPFW_TABLE ": %.*s", (int)n,
			       n ? msg : "failed");
	}
	nft_ctx_free(nft);
	return r;
}

int vipfw_apply(const struct conf *c, struct errbuf *eb)
{
	char *script = vipfw_script(c);
	if (!script)
		return errbuf_set(eb, ENOMEM, "nftables: out of memory");
	int r = run(script, eb);
	free(script);
	return r;
}

int vipfw_remove(struct errbuf *eb)
{
	return run(HEAD, eb);
}

/* ---- the parent's glue ---------------------------------------------- */

int vipfw_start(struct vigild *d)
{
	struct errbuf eb;
	if (d->opts.dry_run)
		return 0;
	/* Without the module there is no leftover, and a configuration
	 * without strict instances does not load nf_tables on a host that
	 * never used it. */
	if (!vipfw_needed(d->conf) && access("/sys/module/nf_tables", F_OK) != 0)
		return 0;
	if (vipfw_apply(d->conf, &eb) == 0) {
		if (vipfw_needed(d->conf))
			log_info("non-accept mode: table inet " VIPFW_TABLE " in place");
		return 0;
	}
	if (vipfw_needed(d->conf)) {
		log_err("%s", eb.msg);
		return -1;
	}
	/* No strict instance: only a leftover could be there, and a kernel
	 * without nftables has none. */
	log_debug("%s", eb.msg);
	return 0;
}

void vipfw_changed(struct vigild *d, const struct conf *old, bool runtime)
{
	struct errbuf eb;
	if (d->opts.dry_run || (!vipfw_needed(old) && !vipfw_needed(d->conf)))
		return;
	/* A runtime change (a real server added) that leaves the addresses as
	 * they were leaves the table too; a reload always rewrites it (also
	 * after someone flushed the ruleset). */
	char *was = runtime ? vipfw_script(old) : NULL, *now = runtime ? vipfw_script(d->conf) : NULL;
	bool same = was && now && strcmp(was, now) == 0;
	free(was);
	free(now);
	if (!same && vipfw_apply(d->conf, &eb) < 0)
		log_err("%s (the previous table, if any, stays)", eb.msg);
}

void vipfw_stop(struct vigild *d)
{
	struct errbuf eb;
	if (d->opts.dry_run || !vipfw_needed(d->conf))
		return;
	if (vipfw_remove(&eb) < 0)
		log_err("%s", eb.msg);
	else
		log_info("non-accept mode: table inet " VIPFW_TABLE " removed");
}
