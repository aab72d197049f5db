// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "environment.h"

#define CAP_SYS_ADMIN 21
#define CAP_PERFMON 38
#define CAP_BPF 39

static unsigned long long effective_caps(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long caps = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

static bool has_cap(unsigned long long caps, int cap)
{
	return caps & (1ULL << cap);
}

int environment_check(const struct fdw_options *o, char *msg, int msglen)
{
	unsigned long long caps = effective_caps();
	struct stat st;
	int tracefs_err;

	if (!has_cap(caps, CAP_SYS_ADMIN) && !(has_cap(caps, CAP_BPF) && has_cap(caps, CAP_PERFMON))) {
		snprintf(msg, msglen, "needs root, or CAP_BPF and CAP_PERFMON: run it with sudo");
		return FDW_EXIT_ENV;
	}
	if (o->btf && stat(o->btf, &st)) {
		snprintf(msg, msglen, "cannot read BTF file %s: %s", o->btf, strerror(errno));
		return FDW_EXIT_ENV;
	}
	if (!o->btf && stat("/sys/kernel/btf/vmlinux", &st)) {
		snprintf(msg, msglen, "this kernel has no BTF (/sys/kernel/btf/vmlinux, "
			 "CONFIG_DEBUG_INFO_BTF): pass --btf PATH with BTF for this kernel");
		return FDW_EXIT_ENV;
	}
	/* hardening (issue 7): mounted but mode 0700, e.g. CAP_BPF+CAP_PERFMON, not root */
	tracefs_err = stat("/sys/kernel/tracing/events", &st) ? errno : 0;
	if (tracefs_err && stat("/sys/kernel/debug/tracing/events", &st)) {
		if (tracefs_err == EACCES)
			snprintf(msg, msglen, "cannot read tracefs (/sys/kernel/tracing): permission "
				 "denied: run it as root, or add CAP_DAC_READ_SEARCH");
		else
			snprintf(msg, msglen, "tracefs is not mounted: mount -t tracefs nodev "
				 "/sys/kernel/tracing");
		return FDW_EXIT_ENV;
	}
	return 0;
}

static void scope_add(struct watch_scope *s, const struct mount_entry *m)
{
	if (m->kind == MOUNT_FUSE || (m->kind == MOUNT_VIRTIOFS && !m->dax))
		s->fuse = true;
	else if (m->kind == MOUNT_VIRTIOFS)
		s->fuse_dax = true;
	else if (m->kind == MOUNT_LOCAL_DAX)
		s->local_dax = true;
}

static int scope_path(const struct fdw_options *o, const struct mount_table *mt,
		      struct watch_scope *s, char *msg, int msglen)
{
	const struct mount_entry *m;
	struct stat st;

	if (stat(o->path, &st)) {
		snprintf(msg, msglen, "cannot watch %s: %s", o->path, strerror(errno));
		return FDW_EXIT_USAGE;
	}
	s->dev = dev_to_kernel(st.st_dev);
	m = mounts_find_dev(mt, s->dev);
	if (!m || m->kind == MOUNT_OTHER) {
		snprintf(msg, msglen, "%s is on %s, which is neither FUSE, virtiofs nor DAX: "
			 "nothing to watch there", o->path, m ? m->fstype : "an unknown mount");
		return FDW_EXIT_ENV;
	}
	if (S_ISREG(st.st_mode) && !o->ino)
		s->ino = st.st_ino;
	scope_add(s, m);
	snprintf(s->what, sizeof(s->what), "%s (%s on %s)", o->path, m->fstype, m->point);
	return 0;
}

int scope_resolve(const struct fdw_options *o, const struct mount_table *mt,
		  struct watch_scope *s, char *msg, int msglen)
{
	memset(s, 0, sizeof(*s));
	s->ino = o->ino;
	if (o->path)
		return scope_path(o, mt, s, msg, msglen);
	for (int i = 0; i < mt->n; i++)
		scope_add(s, &mt->m[i]);
	if (!s->fuse && !s->fuse_dax && !s->local_dax) {
		snprintf(msg, msglen, "no FUSE, virtiofs or DAX mount to watch: mount one, "
			 "or give one with -m PATH");
		return FDW_EXIT_ENV;
	}
	snprintf(s->what, sizeof(s->what), "all%s%s%s mounts", s->fuse ? " FUSE" : "",
		 s->fuse_dax ? " virtiofs-DAX" : "", s->local_dax ? " ext4/xfs-DAX" : "");
	return 0;
}
