// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* User stacks to symbols with libdwfl (elfutils). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize_user.h"

#ifndef FDW_NO_LIBDW
#include <elfutils/libdwfl.h>

#define USYMS_PROCS 64 /* processes kept; the oldest is dropped past that */

struct uproc {
	__u32 pid;
	Dwfl *dwfl; /* NULL: the process could not be read */
};

struct usyms {
	struct uproc p[USYMS_PROCS];
	unsigned int n, next;
	char *debuginfo_path;
	Dwfl_Callbacks cb;
};

struct usyms *usyms_new(void)
{
	struct usyms *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->cb.find_elf = dwfl_linux_proc_find_elf;
	u->cb.find_debuginfo = dwfl_standard_find_debuginfo;
	u->cb.debuginfo_path = &u->debuginfo_path;
	return u;
}

static Dwfl *proc_open(struct usyms *u, __u32 pid)
{
	Dwfl *d = dwfl_begin(&u->cb);

	if (!d)
		return NULL;
	if (dwfl_linux_proc_report(d, pid) || dwfl_report_end(d, NULL, NULL)) {
		dwfl_end(d);
		return NULL;
	}
	return d;
}

static Dwfl *proc_get(struct usyms *u, __u32 pid)
{
	struct uproc *slot;

	for (unsigned int i = 0; i < u->n; i++)
		if (u->p[i].pid == pid)
			return u->p[i].dwfl;
	if (u->n < USYMS_PROCS) {
		slot = &u->p[u->n++];
	} else {
		slot = &u->p[u->next];
		u->next = (u->next + 1) % USYMS_PROCS;
		if (slot->dwfl)
			dwfl_end(slot->dwfl);
	}
	slot->pid = pid;
	slot->dwfl = proc_open(u, pid);
	return slot->dwfl;
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}

bool usyms_format(struct usyms *u, __u32 pid, __u64 addr, bool return_addr, char *buf, size_t len)
{
	Dwfl *d = u ? proc_get(u, pid) : NULL;
	Dwfl_Module *m = d ? dwfl_addrmodule(d, addr) : NULL;
	const char *mod, *name, *file;
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	int lineno = 0;
	size_t n;

	if (!m) {
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
		return false;
	}
	mod = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
	if (name)
		n = snprintf(buf, len, "%s+0x%llx (%s)", name, (unsigned long long)off,
			     base_name(mod));
	else
		n = snprintf(buf, len, "0x%llx (%s)", (unsigned long long)addr, base_name(mod));
	line = dwfl_module_getsrc(m, return_addr ? addr - 1 : addr);
	file = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (file && n < len)
		snprintf(buf + n, len - n, " %s:%d", base_name(file), lineno);
	return name != NULL;
}

void usyms_free(struct usyms *u)
{
	if (!u)
		return;
	for (unsigned int i = 0; i < u->n; i++)
		if (u->p[i].dwfl)
			dwfl_end(u->p[i].dwfl);
	free(u->debuginfo_path);
	free(u);
}

#else /* FDW_NO_LIBDW */

struct usyms {
	int unused;
};

struct usyms *usyms_new(void)
{
	return calloc(1, sizeof(struct usyms));
}

bool usyms_format(struct usyms *u, __u32 pid, __u64 addr, bool return_addr, char *buf, size_t len)
{
	snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	return false;
}

void usyms_free(struct usyms *u)
{
	free(u);
}

#endif
