// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "mounts.h"

unsigned long long dev_to_kernel(unsigned long long st_dev)
{
	return ((unsigned long long)major(st_dev) << 20) | minor(st_dev);
}

unsigned int kdev_major(unsigned long long kdev)
{
	return kdev >> 20;
}

unsigned int kdev_minor(unsigned long long kdev)
{
	return kdev & 0xfffff;
}

static bool has_dax_option(const char *opts)
{
	const char *p = opts;

	while ((p = strstr(p, "dax"))) {
		bool word = p == opts || p[-1] == ',';

		if (word && (p[3] == 0 || p[3] == ','))
			return true;
		if (word && p[3] == '=' && strncmp(p + 4, "never", 5))
			return true;
		p += 3;
	}
	return false;
}

static enum mount_kind classify(const char *fstype, bool dax)
{
	if (!strcmp(fstype, "fuse") || !strcmp(fstype, "fuseblk") || !strncmp(fstype, "fuse.", 5))
		return MOUNT_FUSE;
	if (!strcmp(fstype, "virtiofs"))
		return MOUNT_VIRTIOFS;
	if (dax && (!strcmp(fstype, "ext4") || !strcmp(fstype, "xfs")))
		return MOUNT_LOCAL_DAX;
	return MOUNT_OTHER;
}

/* mountinfo: id parent maj:min root point opts [optional...] - fstype source superopts */
static int parse_line(char *line, struct mount_entry *e)
{
	unsigned int maj, min;
	char point[256], opts[128], fstype[64], super[128];
	char *sep = strstr(line, " - ");

	if (!sep || sscanf(line, "%*d %*d %u:%u %*s %255s %127s", &maj, &min, point, opts) != 4)
		return -EINVAL;
	if (sscanf(sep + 3, "%63s %*s %127s", fstype, super) != 2)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	snprintf(e->point, sizeof(e->point), "%s", point);
	snprintf(e->fstype, sizeof(e->fstype), "%s", fstype);
	snprintf(e->options, sizeof(e->options), "%s,%s", opts, super);
	e->dev = ((unsigned long long)maj << 20) | min;
	e->dax = has_dax_option(e->options);
	e->kind = classify(fstype, e->dax);
	return 0;
}

int mounts_read(struct mount_table *t, const char *mountinfo)
{
	FILE *f = fopen(mountinfo ? mountinfo : "/proc/self/mountinfo", "r");
	char line[4096];

	memset(t, 0, sizeof(*t));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct mount_entry e, *n;

		if (parse_line(line, &e))
			continue;
		n = realloc(t->m, (t->n + 1) * sizeof(*n));
		if (!n)
			break;
		t->m = n;
		t->m[t->n++] = e;
	}
	fclose(f);
	return 0;
}

void mounts_free(struct mount_table *t)
{
	free(t->m);
	memset(t, 0, sizeof(*t));
}

const struct mount_entry *mounts_find_dev(const struct mount_table *t, unsigned long long dev)
{
	/* the last mount of a device is the one that is visible */
	for (int i = t->n - 1; i >= 0; i--)
		if (t->m[i].dev == dev)
			return &t->m[i];
	return NULL;
}

const char *mount_kind_name(enum mount_kind k)
{
	static const char *const names[] = { "other", "fuse", "virtiofs", "local-dax" };

	return k <= MOUNT_LOCAL_DAX ? names[k] : "?";
}
