// SPDX-License-Identifier: GPL-2.0
/* Where the fault lock is: BTF (5.15 on) or learned by the BPF side. See lock_learn.h. */
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "fsdaxwatch.skel.h"
#include "lock_learn.h"
#include "mounts.h"

bool kernel_has_invalidate_lock(const struct kernel_info *ki)
{
	return ki->invalidate_lock; /* kernel_info_load() read it from the BTF */
}

/* distinct file-system types of the DAX mounts in scope */
static int dax_fs_types(const struct watch_scope *sc)
{
	const char *seen[FDW_LOCK_LEARN_MAX];
	struct mount_table mt;
	int n = 0;

	if (mounts_read(&mt, NULL))
		return 0;
	for (int i = 0; i < mt.n && n < FDW_LOCK_LEARN_MAX; i++) {
		const struct mount_entry *e = &mt.m[i];
		bool dup = false;

		if (!e->dax || (e->kind != MOUNT_LOCAL_DAX && e->kind != MOUNT_VIRTIOFS))
			continue;
		if (sc->dev && e->dev != sc->dev)
			continue;
		for (int k = 0; k < n; k++)
			dup |= !strcmp(seen[k], e->fstype);
		if (!dup)
			seen[n++] = e->fstype;
	}
	mounts_free(&mt);
	return n;
}

int lock_learn_start(struct fsdaxwatch_bpf *skel, const struct kernel_info *ki,
		     const struct watch_scope *sc)
{
	int n;

	if (kernel_has_invalidate_lock(ki) || !skel->bss)
		return 0;
	n = dax_fs_types(sc);
	skel->bss->lock_learn_wanted = n;
	return n;
}

int lock_learn_read(struct fsdaxwatch_bpf *skel, struct fdw_lock_offset *out, int max)
{
	struct bpf_map *map = bpf_object__find_map_by_name(skel->obj, "lock_offsets");
	__u64 key, next, *prev = NULL;
	int fd, n = 0;

	if (!map || bpf_map__value_size(map) != sizeof(*out))
		return -1;
	fd = bpf_map__fd(map);
	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &out[n]) && out[n].known)
			n++;
	}
	return n;
}
