/*
 * snmp_child: the snmp child's struct child_ops, run by child_main()
 * (vigild --child snmp). See snmp.h.
 */
#ifndef VIGIL_SNMP_CHILD_H
#define VIGIL_SNMP_CHILD_H

struct child_ops;
extern const struct child_ops child_snmp_ops;

#endif
