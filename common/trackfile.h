/*
 * trackfile: the number a tracked file holds — the vrrp child's track
 * files and the checker's file checks read it the same way. Pure apart
 * from the one read; no state.
 */
#ifndef VIGIL_TRACKFILE_H
#define VIGIL_TRACKFILE_H

/* The integer the file at path begins with, as text (blanks, a sign,
 * digits; what follows is ignored), within -bound..bound: a number
 * beyond counts as the bound it passed, so the caller's arithmetic cannot
 * overflow however large the number written. 0 when the file is absent,
 * unreadable or holds no number. Opened non-blocking: a FIFO written by
 * nobody does not hang the caller. */
long trackfile_value(const char *path, long bound);

#endif
