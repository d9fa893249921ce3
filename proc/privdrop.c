/*
 * privdrop: the checker child's drop to an unprivileged user and the
 * vrrp child's limit to the capabilities it uses, and the snmp child's
 * drop to nothing at all (see privdrop.h). Every step is checked and the result verified (setuid(0)
 * must fail afterwards): a half-dropped checker is worse than none.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "errbuf.h"
#include "privdrop.h"
#include "proc_spawn.h"

const char *priv_script_user(const char *configured, char *buf, unsigned len)
{
	const char *u = configured && getpwnam(configured) ? configured : "nobody";
	snprintf(buf, len, "%s", u);
	return buf;
}

static bool listed(int c, const cap_value_t *keep, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (keep[i] == c)
			return true;
	return false;
}

/* Empties the bounding set but for keep (needs CAP_SETPCAP: root). */
static int bound_to(const cap_value_t *keep, unsigned n, struct errbuf *eb)
{
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		if (listed(c, keep, n) || !CAP_IS_SUPPORTED(c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return errbuf_set(eb, errno, "PR_CAPBSET_DROP %d: %s", c, strerror(errno));
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

/* Permitted and effective := keep; inheritable empty. */
static int caps_only(const cap_value_t *keep, unsigned n, struct errbuf *eb)
{
	cap_t caps = cap_init();   /* all clear, inheritable too */
	if (!caps)
		return errbuf_set(eb, ENOMEM, "cap_init: out of memory");
	int r = 0;
	/* libcap refuses a list of none: an empty set is cap_init() as it is. */
	if ((n && (cap_set_flag(caps, CAP_PERMITTED, (int)n, keep, CAP_SET) < 0 ||
		   cap_set_flag(caps, CAP_EFFECTIVE, (int)n, keep, CAP_SET) < 0)) ||
	    cap_set_proc(caps) < 0)
		r = errbuf_set(eb, errno, "cap_set_proc: %s", strerror(errno));
	cap_free(caps);
	return r;
}

static const cap_value_t checker_caps[] = { CAP_NET_RAW };
static const cap_value_t vrrp_caps[] = {
	CAP_NET_ADMIN, CAP_NET_RAW, CAP_SETUID, CAP_SETGID, CAP_KILL, CAP_SYS_NICE,
	CAP_IPC_LOCK, CAP_DAC_READ_SEARCH,
};
#define N_CAPS(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

int priv_limit_vrrp(struct errbuf *eb)
{
	if (geteuid() != 0)
		return 1;
	int err;
	if ((err = bound_to(vrrp_caps, N_CAPS(vrrp_caps), eb)) < 0
	    || (err = caps_only(vrrp_caps, N_CAPS(vrrp_caps), eb)) < 0)
		return err;
	/* Verify: a capability outside the set must be gone. */
	cap_t now = cap_get_proc();
	cap_flag_value_t v = CAP_SET;
	if (!now)
		return errbuf_set(eb, ENOMEM, "cap_get_proc: out of memory");
	cap_get_flag(now, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
	cap_free(now);
	if (v == CAP_SET)
		return errbuf_set(eb, EPERM, "CAP_SYS_ADMIN still effective after the limit");
	return 0;
}

/* The user's groups too, as a script spawned as the user gets them
 * (proc_spawn.h): check scripts run with the checker's credentials. */
static int switch_ids(const struct spawn_user *u, struct errbuf *eb)
{
	if (setgroups((size_t)u->ngroups, u->groups) < 0)
		return errbuf_set(eb, errno, "setgroups: %s", strerror(errno));
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return errbuf_set(eb, errno, "setresgid %u: %s", (unsigned)u->gid,
				  strerror(errno));
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return errbuf_set(eb, errno, "setresuid %u: %s", (unsigned)u->uid,
				  strerror(errno));
	return 0;
}

/* root -> user, keeping only keep[] (n may be 0: nothing). */
static int drop_to(const char *user, const cap_value_t *keep, unsigned n, struct errbuf *eb)
{
	if (geteuid() != 0)
		return 1;
	struct spawn_user u;
	int err = spawn_user_lookup(user, &u, eb);
	if (err < 0)
		return err;
	if (u.uid == 0)
		return errbuf_set(eb, EPERM, "user '%s' is root", user);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return errbuf_set(eb, errno, "PR_SET_KEEPCAPS: %s", strerror(errno));
	if ((err = bound_to(keep, n, eb)) < 0
	    || (err = switch_ids(&u, eb)) < 0
	    || (err = caps_only(keep, n, eb)) < 0)
		return err;
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errbuf_set(eb, errno, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	/* A change of credentials clears the parent-death signal: set it again. */
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (setuid(0) == 0 || geteuid() == 0)
		return errbuf_set(eb, EPERM, "still able to become root after the drop");
	return 0;
}

int priv_drop_checker(const char *user, struct errbuf *eb)
{
	return drop_to(user, checker_caps, N_CAPS(checker_caps), eb);
}

int priv_drop_snmp(const char *user, struct errbuf *eb)
{
	return drop_to(user, NULL, 0, eb);
}
