// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel_info.h"

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int count_module_btf(void)
{
	DIR *d = opendir("/sys/kernel/btf");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, "vmlinux"))
			n++;
	closedir(d);
	return n;
}

static bool struct_has_member(const struct btf *btf, const char *type, const char *member)
{
	const struct btf_member *m;
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);

	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, m[i].name_off), member))
			return true;
	return false;
}

int kernel_info_open(struct kernel_info *ki, const char *btf_path, char *msg, int msglen)
{
	struct utsname u;
	long err;

	memset(ki, 0, sizeof(*ki));
	if (!uname(&u))
		snprintf(ki->release, sizeof(ki->release), "%s", u.release);
	for (size_t i = 0; i < sizeof(tracefs_roots) / sizeof(tracefs_roots[0]); i++) {
		char p[256];

		snprintf(p, sizeof(p), "%s/events", tracefs_roots[i]);
		if (path_exists(p)) {
			ki->tracefs = tracefs_roots[i];
			break;
		}
	}
	ki->btf_path = btf_path ? btf_path : "/sys/kernel/btf/vmlinux";
	if (btf_path)
		ki->vmlinux = btf__parse(btf_path, NULL);
	else
		ki->vmlinux = btf__load_vmlinux_btf();
	err = libbpf_get_error(ki->vmlinux);
	if (err) {
		ki->vmlinux = NULL;
		snprintf(msg, msglen, "cannot read kernel BTF %s: %s", ki->btf_path, strerror(-err));
		return err < 0 ? (int)err : -EINVAL;
	}
	ki->invalidate_lock = struct_has_member(ki->vmlinux, "address_space", "invalidate_lock");
	ki->n_module_btf = count_module_btf();
	ki->fuse_module_btf = path_exists("/sys/kernel/btf/fuse");
	if (ki->fuse_module_btf && !btf_path) {
		ki->fuse = btf__load_module_btf("fuse", ki->vmlinux);
		if (libbpf_get_error(ki->fuse))
			ki->fuse = NULL;
	}
	return 0;
}

void kernel_info_drop_btf(struct kernel_info *ki)
{
	btf__free(ki->fuse);
	btf__free(ki->vmlinux);
	ki->fuse = ki->vmlinux = NULL;
}

void kernel_info_close(struct kernel_info *ki)
{
	kernel_info_drop_btf(ki);
	for (int i = 0; i < ki->n_ksyms; i++)
		free(ki->ksyms[i]);
	free(ki->ksyms);
	memset(ki, 0, sizeof(*ki));
}

static bool btf_func(const struct btf *btf, const char *name, int *vlen)
{
	int id;
	const struct btf_type *t;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (vlen)
		*vlen = t ? btf_vlen(t) : -1;
	return true;
}

bool kernel_btf_func(struct kernel_info *ki, const char *name, int *vlen)
{
	return btf_func(ki->vmlinux, name, vlen) || btf_func(ki->fuse, name, vlen);
}

bool kernel_btf_tracepoint(struct kernel_info *ki, const char *name)
{
	char tname[128];

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	if (ki->vmlinux && btf__find_by_name_kind(ki->vmlinux, tname, BTF_KIND_TYPEDEF) >= 0)
		return true;
	return ki->fuse && btf__find_by_name_kind(ki->fuse, tname, BTF_KIND_TYPEDEF) >= 0;
}

bool kernel_tracefs_event(struct kernel_info *ki, const char *category, const char *name)
{
	char p[512];

	if (!ki->tracefs)
		return false;
	snprintf(p, sizeof(p), "%s/events/%s/%s", ki->tracefs, category, name);
	return path_exists(p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One pass over /proc/kallsyms keeping only the text symbols asked for
 * (kernel_want_ksyms), so that memory stays small on kernels with 250k
 * symbols.
 */
static void ksyms_load(struct kernel_info *ki)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], type;
	unsigned long long addr;

	ki->ksyms_loaded = true;
	if (!f)
		return;
	ki->ksyms = calloc(ki->n_want ? ki->n_want : 1, sizeof(*ki->ksyms));
	while (ki->ksyms && fgets(line, sizeof(line), f)) {
		const char *n = name;

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (!bsearch(&n, ki->want, ki->n_want, sizeof(*ki->want), cmp_str))
			continue;
		if (bsearch(&n, ki->ksyms, ki->n_ksyms, sizeof(*ki->ksyms), cmp_str))
			continue;
		ki->ksyms[ki->n_ksyms++] = strdup(name);
		qsort(ki->ksyms, ki->n_ksyms, sizeof(*ki->ksyms), cmp_str);
		if (ki->n_ksyms == ki->n_want)
			break;
	}
	fclose(f);
}

void kernel_want_ksyms(struct kernel_info *ki, const char **names, int n)
{
	ki->want = names;
	ki->n_want = n;
	qsort(ki->want, n, sizeof(*ki->want), cmp_str);
}

bool kernel_ksym(struct kernel_info *ki, const char *name)
{
	if (!ki->ksyms_loaded)
		ksyms_load(ki);
	return ki->n_ksyms && ki->ksyms[0] &&
	       bsearch(&name, ki->ksyms, ki->n_ksyms, sizeof(*ki->ksyms), cmp_str) != NULL;
}
