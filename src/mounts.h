/* SPDX-License-Identifier: GPL-2.0 */
/* The FUSE, virtiofs and DAX mounts there are to watch (/proc/self/mountinfo). */
#ifndef FDW_MOUNTS_H
#define FDW_MOUNTS_H

#include <stdbool.h>

enum mount_kind {
	MOUNT_OTHER = 0,
	MOUNT_FUSE,	 /* /dev/fuse file systems */
	MOUNT_VIRTIOFS,
	MOUNT_LOCAL_DAX, /* ext4 or xfs with a dax option */
};

struct mount_entry {
	char point[256];
	char fstype[64];
	char options[256];	/* per-mount and super-block options */
	unsigned long long dev; /* the kernel's s_dev encoding (major << 20 | minor) */
	enum mount_kind kind;
	bool dax;		/* a dax option other than dax=never */
};

struct mount_table {
	struct mount_entry *m;
	int n;
};

int mounts_read(struct mount_table *t, const char *mountinfo);
void mounts_free(struct mount_table *t);
/* the mount that holds dev, or NULL */
const struct mount_entry *mounts_find_dev(const struct mount_table *t, unsigned long long dev);
const char *mount_kind_name(enum mount_kind k);

/* user-space dev_t of stat(2) to the kernel's s_dev encoding */
unsigned long long dev_to_kernel(unsigned long long st_dev);
unsigned int kdev_major(unsigned long long kdev);
unsigned int kdev_minor(unsigned long long kdev);

#endif /* FDW_MOUNTS_H */
