/*
 * pkt: VRRP advertisement encoding, decoding and validation (see vrrp_pkt.h).
 *
 * Wire layout (RFC 3768 §5.1, RFC 5798 §5.1), after the IP header:
 *
 *   0               1               2               3
 *   |Ver=2|Type=1   | Virtual Rtr ID| Priority      | Count IP Addrs|   v2
 *   | Auth Type     | Adver Int (s) |          Checksum             |
 *
 *   |Ver=3|Type=1   | Virtual Rtr ID| Priority      | Count IPvX    |   v3
 *   |(rsvd)| Max Adver Int (cs, 12b)|          Checksum             |
 *
 *   then Count addresses (4 or 16 bytes each), then for v2 only eight
 *   bytes of authentication data (the password for type 1, else zero).
 *
 * An IPv4 packet of protocol 51 carries an IPsec AH header (vrrp_ah.h)
 * before the message; decoding notes its SPI and sequence number, the
 * ICV is checked by vrrp_ah_verify() with the instance's key.
 *
 * v2 checksums the VRRP message alone; v3 prepends the IPv4 or IPv6
 * pseudo-header with protocol 112. Everything here reads through bounds
 * checked against the length the caller gave; nothing is cast onto the
 * buffer, so alignment and padding never matter.
 */
#include "inet_csum.h"
#include "vrrp_ah.h"
#include "vrrp_pkt.h"

#include <errno.h>
#include <string.h>

static const char *const rx_names[VRRP_RX__COUNT] = {
	[VRRP_RX_OK] = "ok",
	[VRRP_RX_NOT_FOR_US] = "not_for_us",
	[VRRP_RX_SHORT] = "short",
	[VRRP_RX_LENGTH] = "length",
	[VRRP_RX_IP_HEADER] = "ip_header",
	[VRRP_RX_TTL] = "ttl",
	[VRRP_RX_VERSION] = "version",
	[VRRP_RX_TYPE] = "type",
	[VRRP_RX_COUNT] = "count",
	[VRRP_RX_TOO_MANY] = "too_many_addrs",
	[VRRP_RX_CHECKSUM] = "checksum",
	[VRRP_RX_INTERVAL] = "interval",
	[VRRP_RX_AUTH_TYPE] = "auth_type",
	[VRRP_RX_AUTH_PASS] = "auth_pass",
	[VRRP_RX_PEER] = "peer",
	[VRRP_RX_ADDR_MISMATCH] = "addr_mismatch",
};

const char *vrrp_rx_str(enum vrrp_rx r)
{
	if ((unsigned)r >= VRRP_RX__COUNT)
		return "?";
	return rx_names[r];
}

bool vrrp_rx_usable(enum vrrp_rx r, const struct vrrp_advert *adv)
{
	return r == VRRP_RX_OK || (r == VRRP_RX_ADDR_MISMATCH && adv->priority == 255);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* v2: the message alone; v3: with the IPv4 or IPv6 pseudo-header. */
static uint16_t msg_csum(const struct vrrp_advert *adv, const uint8_t *msg, size_t len)
{
	uint32_t sum = adv->version == 3
		? inet_csum_pseudo(&adv->src, &adv->dst, VRRP_IPPROTO, (uint32_t)len) : 0;
	return inet_csum_fold(inet_csum_add(sum, msg, len));
}

void vrrp_mcast_group(int family, struct vaddr *out)
{
	static const uint8_t g6[16] = { 0xff, 0x02, [15] = 0x12 };
	memset(out, 0, sizeof(*out));
	out->family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&out->u.v4, (const uint8_t[4]){ 224, 0, 0, 18 }, 4);
	else
		memcpy(&out->u.v6, g6, 16);
}

double vrrp_advert_interval(const struct vrrp_advert *adv)
{
	return adv->version == 2 ? (double)adv->adver_int : adv->adver_int / 100.0;
}

uint16_t vrrp_adver_int_to_wire(uint8_t version, double seconds)
{
	double units = version == 2 ? seconds : seconds * 100.0;
	double max = version == 2 ? VRRP_V2_MAX_ADVER_INT : VRRP_V3_MAX_ADVER_INT;
	if (!(units >= 1.0))          /* also catches NaN */
		return 1;
	if (units >= max)
		return (uint16_t)max;
	return (uint16_t)(units + 0.5);
}

/* The password as the wire has it: up to 8 bytes, NUL-padded, no terminator. */
static void copy_pass(char dst[VRRP_AUTH_DATA_LEN], const char *pass)
{
	memset(dst, 0, VRRP_AUTH_DATA_LEN);
	memcpy(dst, pass, strnlen(pass, VRRP_AUTH_DATA_LEN));
}

int vrrp_advert_from_conf(const struct vrrp_inst_conf *c, uint8_t priority,
			  struct vrrp_advert *adv)
{
	memset(adv, 0, sizeof(*adv));
	if (c->n_addrs > VRRP_MAX_ADDRS)
		return -E2BIG;
	adv->version = c->version;
	adv->vrid = c->vrid;
	adv->priority = priority;
	adv->adver_int = vrrp_adver_int_to_wire(c->version, c->advert_interval);
	adv->family = c->family;
	adv->n_addrs = c->n_addrs;
	for (unsigned i = 0; i < c->n_addrs; i++)
		adv->addrs[i] = c->addrs[i].addr;
	if (c->version == 2 && c->auth_type == VRRP_AUTH_PASS) {
		adv->auth_type = VRRP_WIRE_AUTH_PASS;
		copy_pass(adv->auth_data, c->auth_pass);
	} else if (c->version == 2 && c->auth_type == VRRP_AUTH_AH) {
		adv->auth_type = VRRP_WIRE_AUTH_AH;   /* auth data stays zero */
	}
	vrrp_mcast_group(c->family, &adv->dst);
	return 0;
}

void vrrp_expect_from_conf(const struct vrrp_inst_conf *c, struct vrrp_expect *exp)
{
	memset(exp, 0, sizeof(*exp));
	exp->version = c->version;
	exp->vrid = c->vrid;
	exp->family = c->family;
	exp->addrs = c->addrs;
	exp->n_addrs = c->n_addrs;
	exp->v2_adver_int = vrrp_adver_int_to_wire(2, c->advert_interval);
	exp->auth_type = c->auth_type;
	if (c->auth_type == VRRP_AUTH_PASS || c->auth_type == VRRP_AUTH_AH)
		copy_pass(exp->auth_pass, c->auth_pass);
	exp->unicast = c->unicast;
	/* max_ttl 0 is a configuration that never set it: no upper bound. */
	exp->min_ttl = c->min_ttl;
	exp->max_ttl = c->max_ttl ? c->max_ttl : 255;
	exp->ttl_range = c->unicast && (exp->min_ttl > 0 || exp->max_ttl < 255);
	exp->peers = c->peers;
	exp->n_peers = c->n_peers;
}

static size_t msg_len(uint8_t version, int family, unsigned count)
{
	return VRRP_HDR_LEN + count * addr_len(family) + (version == 2 ? VRRP_AUTH_DATA_LEN : 0);
}

static bool encodable(const struct vrrp_advert *adv)
{
	if (adv->version == 2)
		return adv->family == AF_INET && adv->adver_int >= 1 &&
		       adv->adver_int <= VRRP_V2_MAX_ADVER_INT &&
		       adv->auth_type <= VRRP_WIRE_AUTH_AH;
	if (adv->version != 3 || !addr_len(adv->family))
		return false;
	return adv->adver_int >= 1 && adv->adver_int <= VRRP_V3_MAX_ADVER_INT &&
	       adv->src.family == adv->family && adv->dst.family == adv->family;
}

int vrrp_pkt_encode(const struct vrrp_advert *adv, uint8_t *buf, size_t len)
{
	if (!encodable(adv) || adv->n_addrs > VRRP_MAX_ADDRS)
		return -EINVAL;
	size_t alen = addr_len(adv->family);
	size_t need = msg_len(adv->version, adv->family, adv->n_addrs);
	if (len < need)
		return -ENOSPC;
	memset(buf, 0, need);
	buf[0] = (uint8_t)(adv->version << 4 | VRRP_TYPE_ADVERT);
	buf[1] = adv->vrid;
	buf[2] = adv->priority;
	buf[3] = (uint8_t)adv->n_addrs;
	if (adv->version == 2) {
		buf[4] = adv->auth_type;
		buf[5] = (uint8_t)adv->adver_int;
	} else {
		put16(buf + 4, adv->adver_int & 0x0fff);
	}
	uint8_t *p = buf + VRRP_HDR_LEN;
	for (unsigned i = 0; i < adv->n_addrs; i++, p += alen) {
		if (adv->addrs[i].family != adv->family)
			return -EINVAL;
		memcpy(p, &adv->addrs[i].u, alen);
	}
	if (adv->version == 2 && adv->auth_type == VRRP_WIRE_AUTH_PASS)
		memcpy(p, adv->auth_data, VRRP_AUTH_DATA_LEN);
	put16(buf + 6, msg_csum(adv, buf, need));
	return (int)need;
}

int vrrp_pkt_build_ip4(const struct vrrp_advert *adv, uint8_t ttl, uint16_t ip_id,
		       uint8_t *buf, size_t len)
{
	if (adv->family != AF_INET || adv->src.family != AF_INET ||
	    adv->dst.family != AF_INET)
		return -EINVAL;
	if (len < VRRP_IP4_HDR_LEN)
		return -ENOSPC;
	int n = vrrp_pkt_encode(adv, buf + VRRP_IP4_HDR_LEN, len - VRRP_IP4_HDR_LEN);
	if (n < 0)
		return n;
	uint8_t *ip = buf;
	memset(ip, 0, VRRP_IP4_HDR_LEN);
	ip[0] = 0x45;
	ip[1] = 0xc0;                 /* DSCP CS6, "internetwork control" */
	put16(ip + 2, (uint16_t)(VRRP_IP4_HDR_LEN + n));
	put16(ip + 4, ip_id);
	ip[8] = ttl;
	ip[9] = VRRP_IPPROTO;
	memcpy(ip + 12, &adv->src.u.v4, 4);
	memcpy(ip + 16, &adv->dst.u.v4, 4);
	put16(ip + 10, inet_csum(ip, VRRP_IP4_HDR_LEN));
	return VRRP_IP4_HDR_LEN + n;
}

/* The VRRP message; out->family, ttl, src and dst are already set. */
static enum vrrp_rx decode_msg(const uint8_t *m, size_t len, struct vrrp_advert *out)
{
	if (len < VRRP_HDR_LEN)
		return VRRP_RX_SHORT;
	uint8_t version = m[0] >> 4;
	if (version != 2 && version != 3)
		return VRRP_RX_VERSION;
	if (version == 2 && out->family != AF_INET)
		return VRRP_RX_VERSION;
	if ((m[0] & 0x0f) != VRRP_TYPE_ADVERT)
		return VRRP_RX_TYPE;
	unsigned count = m[3];
	if (len != msg_len(version, out->family, count))
		return VRRP_RX_COUNT;
	if (count > VRRP_MAX_ADDRS)
		return VRRP_RX_TOO_MANY;
	out->version = version;
	if (msg_csum(out, m, len) != 0)
		return VRRP_RX_CHECKSUM;
	out->vrid = m[1];
	out->priority = m[2];
	out->n_addrs = count;
	if (version == 2) {
		out->auth_type = m[4];
		out->adver_int = m[5];
	} else {
		out->adver_int = get16(m + 4) & 0x0fff;
	}
	size_t alen = addr_len(out->family);
	const uint8_t *p = m + VRRP_HDR_LEN;
	for (unsigned i = 0; i < count; i++, p += alen) {
		out->addrs[i].family = (sa_family_t)out->family;
		memcpy(&out->addrs[i].u, p, alen);
	}
	if (version == 2)
		memcpy(out->auth_data, p, VRRP_AUTH_DATA_LEN);
	return VRRP_RX_OK;
}

enum vrrp_rx vrrp_pkt_decode_ip4(const uint8_t *buf, size_t len, struct vrrp_advert *out)
{
	memset(out, 0, sizeof(*out));
	if (len < VRRP_IP4_HDR_LEN)
		return VRRP_RX_SHORT;
	size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (buf[0] >> 4 != 4 || ihl < VRRP_IP4_HDR_LEN ||
	    (buf[9] != VRRP_IPPROTO && buf[9] != VRRP_IPPROTO_AH))
		return VRRP_RX_IP_HEADER;
	if (len < ihl)
		return VRRP_RX_SHORT;
	if (get16(buf + 2) != len)
		return VRRP_RX_LENGTH;
	out->family = AF_INET;
	out->ttl = buf[8];
	out->src.family = out->dst.family = AF_INET;
	memcpy(&out->src.u.v4, buf + 12, 4);
	memcpy(&out->dst.u.v4, buf + 16, 4);
	size_t off = ihl;
	if (buf[9] == VRRP_IPPROTO_AH) {
		/* keepalived's AH: 24 bytes, then the VRRPv2 message. */
		if (len < ihl + VRRP_AH_LEN)
			return VRRP_RX_SHORT;
		const uint8_t *ah = buf + ihl;
		if (ah[0] != VRRP_IPPROTO || ah[1] != VRRP_AH_PLEN)
			return VRRP_RX_IP_HEADER;
		out->ah.present = true;
		out->ah.spi = get32(ah + 4);
		out->ah.seq = get32(ah + 8);
		off += VRRP_AH_LEN;
	}
	enum vrrp_rx r = decode_msg(buf + off, len - off, out);
	if (r == VRRP_RX_OK && out->ah.present && out->version != 2)
		return VRRP_RX_VERSION;       /* AH exists for v2 only */
	return r;
}

enum vrrp_rx vrrp_pkt_decode_ip6(const uint8_t *buf, size_t len, uint8_t hlim,
				 const struct in6_addr *src, const struct in6_addr *dst,
				 struct vrrp_advert *out)
{
	memset(out, 0, sizeof(*out));
	out->family = AF_INET6;
	out->ttl = hlim;
	out->src.family = out->dst.family = AF_INET6;
	out->src.u.v6 = *src;
	out->dst.u.v6 = *dst;
	return decode_msg(buf, len, out);
}

static bool addr_in(const struct vaddr *a, const struct vaddr *list, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (vaddr_equal(a, &list[i]))
			return true;
	return false;
}

static bool addr_in_prefixes(const struct vaddr *a, const struct vprefix *list, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (vaddr_equal(a, &list[i].addr))
			return true;
	return false;
}

/* Same set of addresses, in any order (keepalived does not require an order either). */
static bool addrs_match(const struct vrrp_advert *adv, const struct vrrp_expect *exp)
{
	if (adv->n_addrs != exp->n_addrs)
		return false;
	for (unsigned i = 0; i < adv->n_addrs; i++)
		if (!addr_in_prefixes(&adv->addrs[i], exp->addrs, exp->n_addrs))
			return false;
	for (unsigned i = 0; i < exp->n_addrs; i++)
		if (!addr_in(&exp->addrs[i].addr, adv->addrs, adv->n_addrs))
			return false;
	return true;
}

/* The AH header and the auth type must agree with the instance's
 * authentication (the ICV is vrrp_ah_verify()'s). */
static enum vrrp_rx validate_v2_auth(const struct vrrp_advert *adv, const struct vrrp_expect *exp)
{
	uint8_t want = exp->auth_type == VRRP_AUTH_PASS ? VRRP_WIRE_AUTH_PASS :
		       exp->auth_type == VRRP_AUTH_AH ? VRRP_WIRE_AUTH_AH : VRRP_WIRE_AUTH_NONE;
	if (adv->auth_type != want || adv->ah.present != (want == VRRP_WIRE_AUTH_AH))
		return VRRP_RX_AUTH_TYPE;
	if (want == VRRP_WIRE_AUTH_PASS &&
	    memcmp(adv->auth_data, exp->auth_pass, VRRP_AUTH_DATA_LEN) != 0)
		return VRRP_RX_AUTH_PASS;
	return VRRP_RX_OK;
}

enum vrrp_rx vrrp_pkt_validate(const struct vrrp_advert *adv, const struct vrrp_expect *exp)
{
	if (adv->family != exp->family || adv->vrid != exp->vrid)
		return VRRP_RX_NOT_FOR_US;
	if (!exp->unicast && adv->ttl != VRRP_TTL)
		return VRRP_RX_TTL;
	if (exp->ttl_range && (adv->ttl < exp->min_ttl || adv->ttl > exp->max_ttl))
		return VRRP_RX_TTL;
	if (adv->version != exp->version)
		return VRRP_RX_VERSION;
	if (exp->unicast && !addr_in(&adv->src, exp->peers, exp->n_peers))
		return VRRP_RX_PEER;
	if (adv->version == 2) {
		enum vrrp_rx r = validate_v2_auth(adv, exp);
		if (r != VRRP_RX_OK)
			return r;
		if (adv->adver_int != exp->v2_adver_int)
			return VRRP_RX_INTERVAL;
	}
	if (!addrs_match(adv, exp))
		return VRRP_RX_ADDR_MISMATCH;
	return VRRP_RX_OK;
}

enum vrrp_rx vrrp_pkt_rx_ip4(const uint8_t *buf, size_t len, const struct vrrp_expect *exp,
			     struct vrrp_advert *out)
{
	enum vrrp_rx r = vrrp_pkt_decode_ip4(buf, len, out);
	if (r != VRRP_RX_OK)
		return r;
	r = vrrp_pkt_validate(out, exp);
	if ((r == VRRP_RX_OK || r == VRRP_RX_ADDR_MISMATCH) && out->ah.present) {
		enum vrrp_rx a = vrrp_ah_verify(buf, len, exp->auth_pass, exp->unicast);
		if (a != VRRP_RX_OK)
			return a;
	}
	return r;
}

enum vrrp_rx vrrp_pkt_rx_ip6(const uint8_t *buf, size_t len, uint8_t hlim,
			     const struct in6_addr *src, const struct in6_addr *dst,
			     const struct vrrp_expect *exp, struct vrrp_advert *out)
{
	enum vrrp_rx r = vrrp_pkt_decode_ip6(buf, len, hlim, src, dst, out);
	return r != VRRP_RX_OK ? r : vrrp_pkt_validate(out, exp);
}
