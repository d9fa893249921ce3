/*
 * xalloc: allocation for the daemons' own small bookkeeping — a job or
 * entry struct, a JSON node of a status reply, a copy of a name — where
 * a failure leaves nothing sensible to do: a process that cannot get a
 * few dozen bytes cannot log, answer or send either. These log "out of
 * memory" (LOG_CRIT) and abort(); the parent restarts a child, systemd
 * restarts vigild (Restart=on-failure). docs/architecture.md, "Out of
 * memory", says where each kind of failure is handled instead: library
 * code never uses these, and an allocation sized by input or
 * configuration fails its own unit of work.
 */
#ifndef VIGIL_XALLOC_H
#define VIGIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
/* p, or the same end when p is NULL: for other allocators' results,
 * e.g. xnonnull(json_object_new_object()). */
void *xnonnull(void *p);
/* The end itself, for one that reports failure otherwise (argv_split's
 * -ENOMEM); size is for the message, 0 when unknown. */
_Noreturn void xalloc_die(size_t size);

#endif
