/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers: BTF functions and tracepoints, kallsyms, tracefs. */
#ifndef FDW_KERNEL_INFO_H
#define FDW_KERNEL_INFO_H

#include <stdbool.h>

struct btf;

struct kernel_info {
	char release[128];
	struct btf *vmlinux;	/* NULL: no kernel BTF */
	struct btf *fuse;	/* module BTF of fuse, NULL if built in or absent */
	bool fuse_module_btf;	/* /sys/kernel/btf/fuse exists */
	int n_module_btf;	/* entries in /sys/kernel/btf besides vmlinux */
	const char *btf_path;	/* vmlinux BTF used */
	const char *tracefs;	/* tracefs root, NULL if not mounted */
	bool invalidate_lock;	/* address_space.invalidate_lock (5.15 on): the fault lock */
	const char **want;	/* symbols asked for, sorted */
	int n_want;
	char **ksyms;		/* those found in kallsyms, sorted */
	int n_ksyms;
	bool ksyms_loaded;
};

/* btf_path: NULL for /sys/kernel/btf/vmlinux. Returns 0, or -errno with msg. */
int kernel_info_open(struct kernel_info *ki, const char *btf_path, char *msg, int msglen);
void kernel_info_close(struct kernel_info *ki);
/* Frees the BTF (megabytes) once the probes are planned; the flags above stay. */
void kernel_info_drop_btf(struct kernel_info *ki);

/* A FUNC of that name in vmlinux or fuse module BTF; *vlen its parameter count. */
bool kernel_btf_func(struct kernel_info *ki, const char *name, int *vlen);
/* typedef btf_trace_<name>: the tracepoint exists for tp_btf/raw_tp */
bool kernel_btf_tracepoint(struct kernel_info *ki, const char *name);
/* tracefs events/<category>/<name> */
bool kernel_tracefs_event(struct kernel_info *ki, const char *category, const char *name);
/* the symbols kernel_ksym() may be asked for (the array is sorted in place) */
void kernel_want_ksyms(struct kernel_info *ki, const char **names, int n);
/* a text symbol in /proc/kallsyms (read on first use) */
bool kernel_ksym(struct kernel_info *ki, const char *name);

#endif /* FDW_KERNEL_INFO_H */
