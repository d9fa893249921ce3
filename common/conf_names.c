/* Names of the configuration enums, as written in vigil.conf. */
#include "conf.h"

const char *check_type_str(enum check_type t)
{
	static const char *const names[CHECK__COUNT] = {
		[CHECK_TCP] = "tcp", [CHECK_HTTP] = "http", [CHECK_HTTPS] = "https",
		[CHECK_SMTP] = "smtp", [CHECK_DNS] = "dns", [CHECK_UDP] = "udp",
		[CHECK_PING] = "ping", [CHECK_SCRIPT] = "script", [CHECK_FILE] = "file",
	};
	return (unsigned)t < CHECK__COUNT ? names[t] : "?";
}

const char *fwd_method_str(enum fwd_method f)
{
	switch (f) {
	case FWD_NAT: return "nat";
	case FWD_DR: return "dr";
	case FWD_TUN: return "tun";
	}
	return "?";
}

const char *vs_proto_str(enum vs_proto p)
{
	switch (p) {
	case PROTO_TCP: return "tcp";
	case PROTO_UDP: return "udp";
	case PROTO_SCTP: return "sctp";
	}
	return "?";
}
