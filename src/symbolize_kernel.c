// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Kernel symbols from a kallsyms file. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize_kernel.h"

struct ksyms {
	struct ksym *syms;
	size_t n, cap;
	char **mods; /* module names, each stored once */
	size_t n_mods, cap_mods;
	char *names; /* every name, NUL-separated, in one block */
	size_t names_len, names_cap;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 1024;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static const char *module_intern(struct ksyms *k, const char *m)
{
	/* kallsyms lists a module's symbols together: the last one is the usual hit */
	if (k->n_mods && !strcmp(k->mods[k->n_mods - 1], m))
		return k->mods[k->n_mods - 1];
	for (size_t i = 0; i < k->n_mods; i++)
		if (!strcmp(k->mods[i], m))
			return k->mods[i];
	if (grow((void **)&k->mods, &k->cap_mods, k->n_mods + 1, sizeof(*k->mods)))
		return NULL;
	k->mods[k->n_mods] = strdup(m);
	return k->mods[k->n_mods] ? k->mods[k->n_mods++] : NULL;
}

/* names are offsets into k->names until the file is read (the block moves) */
static int name_add(struct ksyms *k, const char *name, size_t *off)
{
	size_t l = strlen(name) + 1;

	if (grow((void **)&k->names, &k->names_cap, k->names_len + l, 1))
		return -ENOMEM;
	memcpy(k->names + k->names_len, name, l);
	*off = k->names_len;
	k->names_len += l;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* "ffffffff81000000 T _stext" or "ffffffffc0a01000 t fuse_do_setattr\t[fuse]" */
static int line_parse(struct ksyms *k, char *line, int *nonzero)
{
	char type, name[512], mod[128] = "";
	unsigned long long addr;
	size_t off;
	int n;

	n = sscanf(line, "%llx %c %511s [%127[^]]]", &addr, &type, name, mod);
	if (n < 3)
		return 0;
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	if (addr)
		*nonzero = 1;
	if (grow((void **)&k->syms, &k->cap, k->n + 1, sizeof(*k->syms)) || name_add(k, name, &off))
		return -ENOMEM;
	k->syms[k->n].addr = addr;
	k->syms[k->n].name = (const char *)(uintptr_t)off;
	k->syms[k->n].module = mod[0] ? module_intern(k, mod) : NULL;
	if (mod[0] && !k->syms[k->n].module)
		return -ENOMEM;
	k->n++;
	return 0;
}

struct ksyms *ksyms_load(const char *path, char *msg, size_t len)
{
	struct ksyms *k = calloc(1, sizeof(*k));
	FILE *f = fopen(path, "re");
	char line[768];
	int nonzero = 0, err = 0;

	if (!k || !f) {
		snprintf(msg, len, "cannot read %s: %s", path, strerror(k ? errno : ENOMEM));
		goto fail;
	}
	while (!err && fgets(line, sizeof(line), f))
		err = line_parse(k, line, &nonzero);
	if (err || ferror(f)) {
		snprintf(msg, len, "cannot read %s: %s", path, strerror(err ? -err : EIO));
		goto fail;
	}
	if (!k->n || !nonzero) {
		snprintf(msg, len, "%s: %s", path,
			 k->n ? "every address is 0 (kptr_restrict; run as root)"
			      : "no text symbols");
		goto fail;
	}
	fclose(f);
	for (size_t i = 0; i < k->n; i++)
		k->syms[i].name = k->names + (uintptr_t)k->syms[i].name;
	qsort(k->syms, k->n, sizeof(*k->syms), by_addr);
	return k;
fail:
	if (f)
		fclose(f);
	ksyms_free(k);
	return NULL;
}

const struct ksym *ksyms_find(const struct ksyms *k, __u64 addr)
{
	size_t lo = 0, hi = k ? k->n : 0;

	if (!hi || addr < k->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* past the last symbol of a module (or of vmlinux) nothing is known */
	if (lo + 1 == k->n && k->syms[lo].module == NULL && addr - k->syms[lo].addr > (1 << 20))
		return NULL;
	return &k->syms[lo];
}

const char *ksyms_format(const struct ksyms *k, __u64 addr, char *buf, size_t len)
{
	const struct ksym *s = ksyms_find(k, addr);

	if (!s)
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (s->module)
		snprintf(buf, len, "%s+0x%llx [%s]", s->name, (unsigned long long)(addr - s->addr),
			 s->module);
	else
		snprintf(buf, len, "%s+0x%llx", s->name, (unsigned long long)(addr - s->addr));
	return buf;
}

size_t ksyms_count(const struct ksyms *k)
{
	return k ? k->n : 0;
}

void ksyms_free(struct ksyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n_mods; i++)
		free(k->mods[i]);
	free(k->mods);
	free(k->syms);
	free(k->names);
	free(k);
}
