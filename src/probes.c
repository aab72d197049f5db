// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the variant of each probe: a variant is a candidate when its
 * targets exist in this kernel; candidates are loaded for real (a failing
 * program is found by loading it alone and its variant is dropped), then
 * attached in order of preference until one attaches completely.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "fsdaxwatch.h"
#include "fsdaxwatch.skel.h"
#include "libbpf_log.h"
#include "probe_table.h"
#include "probes.h"

static const char *const mode_names[FDW_MODE_MAX + 1] = {
	[FDW_MODE_FENTRY] = "fentry",
	[FDW_MODE_KPROBE] = "kprobe",
	[FDW_MODE_TRACEPOINT] = "tracepoint",
	[FDW_MODE_AUTO] = "auto",
};

const char *fdw_mode_name(enum fdw_mode m)
{
	return m <= FDW_MODE_AUTO ? mode_names[m] : "?";
}

int fdw_mode_parse(const char *s, enum fdw_mode *m)
{
	for (int i = 0; i <= FDW_MODE_AUTO; i++) {
		if (!strcmp(s, mode_names[i])) {
			*m = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *probe_name(enum fdw_probe_id id)
{
	return probe_def(id)->name;
}

const char *probe_what(enum fdw_probe_id id)
{
	return probe_def(id)->what;
}

struct conds {
	bool setattr_idmap;
	bool sreq_idmap;
};

static void conds_eval(struct kernel_info *ki, struct conds *c)
{
	int vlen = -1;

	c->setattr_idmap = kernel_btf_func(ki, "fuse_do_setattr", &vlen) && vlen == 4;
	c->sreq_idmap = !kernel_btf_func(ki, "fuse_simple_request", NULL) &&
			!kernel_ksym(ki, "fuse_simple_request");
}

static bool cond_holds(const struct conds *c, enum hook_cond cond)
{
	switch (cond) {
	case COND_SETATTR_PLAIN:
		return !c->setattr_idmap;
	case COND_SETATTR_IDMAP:
		return c->setattr_idmap;
	case COND_SREQ_PLAIN:
		return !c->sreq_idmap;
	case COND_SREQ_IDMAP:
		return c->sreq_idmap;
	default:
		return true;
	}
}

static bool hook_present(struct kernel_info *ki, const struct variant *v, const struct hook *h)
{
	char cat[64];
	const char *slash;

	if (!strcmp(v->label, "fentry"))
		return kernel_btf_func(ki, h->target, NULL);
	if (!strcmp(v->label, "kprobe"))
		return kernel_ksym(ki, h->target);
	if (!strcmp(v->label, "tp_btf") || !strcmp(v->label, "raw_tp"))
		return kernel_btf_tracepoint(ki, h->target);
	slash = strchr(h->target, '/');
	if (!slash || slash - h->target >= (long)sizeof(cat))
		return false;
	snprintf(cat, sizeof(cat), "%.*s", (int)(slash - h->target), h->target);
	return kernel_tracefs_event(ki, cat, slash + 1);
}

#define for_each_hook(v, h) for (const struct hook *h = (v)->hooks; h->prog; h++)

static bool variant_present(struct kernel_info *ki, const struct conds *c, const struct variant *v,
			    char *why, int whylen)
{
	for_each_hook(v, h) {
		if (!cond_holds(c, h->cond) || h->optional || hook_present(ki, v, h))
			continue;
		if (!strcmp(v->label, "tracepoint") && !ki->tracefs)
			snprintf(why, whylen, "tracefs is not mounted");
		else if (!strcmp(v->label, "fentry") && !kernel_ksym(ki, h->target) &&
			 !ki->fuse_module_btf && !strncmp(h->target, "fuse", 4))
			snprintf(why, whylen, "no %s in this kernel", h->target);
		else if (!strcmp(v->label, "fentry"))
			snprintf(why, whylen, "%s has no BTF (module without BTF, or absent)",
				 h->target);
		else
			snprintf(why, whylen, "no %s in this kernel", h->target);
		return false;
	}
	return true;
}

struct plan {
	struct conds conds;
	/* per probe, per variant: targets exist; still a candidate */
	bool present[FDW_PROBE_MAX][FDW_MAX_VARIANTS];
	bool cand[FDW_PROBE_MAX][FDW_MAX_VARIANTS];
	/* optional hooks whose program does not load here: left out of the variant */
	bool opt_off[FDW_PROBE_MAX][FDW_MAX_VARIANTS][FDW_MAX_HOOKS];
	char why[FDW_PROBE_MAX][FDW_MAX_VARIANTS][FDW_REASON_LEN];
};

static const char *all_ksyms[64];

static void want_ksyms(struct kernel_info *ki)
{
	int n = 0;

	all_ksyms[n++] = "fuse_simple_request";
	for (int p = 0; p < FDW_PROBE_MAX; p++)
		for (int i = 0; i < FDW_MAX_VARIANTS; i++)
			for_each_hook(&probe_def(p)->variants[i], h)
				if (probe_def(p)->variants[i].label &&
				    !strcmp(probe_def(p)->variants[i].label, "kprobe") && n < 63)
					all_ksyms[n++] = h->target;
	if (!ki->ksyms_loaded)
		kernel_want_ksyms(ki, all_ksyms, n);
}

static void plan_make(struct plan *pl, struct kernel_info *ki, enum fdw_mode mode)
{
	memset(pl, 0, sizeof(*pl));
	want_ksyms(ki);
	conds_eval(ki, &pl->conds);
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		for (int i = 0; i < FDW_MAX_VARIANTS; i++) {
			const struct variant *v = &probe_def(p)->variants[i];

			if (!v->label || (mode != FDW_MODE_AUTO && v->mode != mode))
				continue;
			pl->present[p][i] = variant_present(ki, &pl->conds, v, pl->why[p][i],
							    FDW_REASON_LEN);
			pl->cand[p][i] = pl->present[p][i];
		}
	}
}

static void rodata_set(struct fsdaxwatch_bpf *skel, const struct probe_config *cfg,
		       const struct conds *c)
{
	skel->rodata->targ_dev = cfg->dev;
	skel->rodata->targ_ino = cfg->ino;
	skel->rodata->targ_tgid = cfg->tgid;
	if (cfg->comm)
		strncpy((char *)skel->rodata->targ_comm, cfg->comm, FDW_COMM_LEN - 1);
	skel->rodata->record_all_faults = cfg->record_all_faults;
	skel->rodata->setattr_has_idmap = c->setattr_idmap;
	skel->rodata->simple_request_has_idmap = c->sreq_idmap;
}

/* Open the object with only the given variants' programs to be loaded. */
static struct fsdaxwatch_bpf *skel_open(const struct probe_config *cfg, const struct plan *pl,
					const char *only_prog, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct fsdaxwatch_bpf *skel = fsdaxwatch_bpf__open_opts(&opts);
	struct bpf_program *prog;

	if (!skel)
		return NULL;
	rodata_set(skel, cfg, &pl->conds);
	/* trial loads (only_prog) keep the object's size: they are freed at once */
	if (cfg->ringbuf_bytes && !only_prog &&
	    bpf_map__set_max_entries(skel->maps.events, cfg->ringbuf_bytes)) {
		fsdaxwatch_bpf__destroy(skel);
		return NULL;
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		for (int i = 0; i < FDW_MAX_VARIANTS; i++) {
			const struct variant *v = &probe_def(p)->variants[i];

			if (!pl->cand[p][i])
				continue;
			for_each_hook(v, h) {
				if (!cond_holds(&pl->conds, h->cond) || pl->opt_off[p][i][h - v->hooks])
					continue;
				if (only_prog && strcmp(only_prog, h->prog))
					continue;
				prog = bpf_object__find_program_by_name(skel->obj, h->prog);
				if (prog)
					bpf_program__set_autoload(prog, true);
			}
		}
	}
	return skel;
}

/* Load one program alone; 0 or -errno, with libbpf's reason. */
static int trial_load(const struct probe_config *cfg, const struct plan *pl, const char *prog,
		      const char *btf_path, char *why, int whylen)
{
	struct fsdaxwatch_bpf *skel = skel_open(cfg, pl, prog, btf_path);
	int err;

	if (!skel)
		return -errno;
	libbpf_log_reset();
	err = fsdaxwatch_bpf__load(skel);
	if (err)
		snprintf(why, whylen, "load: %s", libbpf_log_last(err));
	fsdaxwatch_bpf__destroy(skel);
	return err;
}

/*
 * A hook whose program does not load alone: an optional one is left out of
 * its variant (no symbol for its BTF, as unmap_page_range on 7.3), any other
 * takes the variant out with why. true: the variant is out.
 */
static bool hook_failed(struct plan *pl, int p, int i, const struct variant *v,
			const struct hook *h, const char *why)
{
	if (h->optional) {
		pl->opt_off[p][i][h - v->hooks] = true;
		return false;
	}
	snprintf(pl->why[p][i], FDW_REASON_LEN, "%s", why);
	pl->cand[p][i] = false;
	return true;
}

/* Drop the candidate variants whose programs do not load on their own. */
static void weed_out(const struct probe_config *cfg, struct plan *pl, const char *btf_path,
		     enum fdw_mode only_mode)
{
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		for (int i = 0; i < FDW_MAX_VARIANTS; i++) {
			const struct variant *v = &probe_def(p)->variants[i];

			if (!pl->cand[p][i] || (only_mode != FDW_MODE_MAX && v->mode != only_mode))
				continue;
			for_each_hook(v, h) {
				char why[FDW_REASON_LEN];

				if (!cond_holds(&pl->conds, h->cond) ||
				    (h->optional && !pl->cand[p][i]))
					continue;
				if (!trial_load(cfg, pl, h->prog, btf_path, why, sizeof(why)))
					continue;
				if (hook_failed(pl, p, i, v, h, why))
					break;
			}
		}
	}
}

/*
 * Fast path for a mode the kernel refuses outright (fentry on a kernel
 * that forbids BPF trampolines): load its first program alone; if that
 * fails, every variant of the mode is dropped with the same reason.
 */
static void mode_gate(const struct probe_config *cfg, struct plan *pl, const char *btf_path,
		      const char *label)
{
	char why[FDW_REASON_LEN] = "";
	const char *first = NULL;
	int err;

	for (int p = 0; p < FDW_PROBE_MAX && !first; p++)
		for (int i = 0; i < FDW_MAX_VARIANTS && !first; i++)
			if (pl->cand[p][i] && !strcmp(probe_def(p)->variants[i].label, label))
				for_each_hook(&probe_def(p)->variants[i], h)
					if (!first && cond_holds(&pl->conds, h->cond))
						first = h->prog;
	if (!first)
		return;
	err = trial_load(cfg, pl, first, btf_path, why, sizeof(why));
	if (!err)
		return;
	for (int p = 0; p < FDW_PROBE_MAX; p++)
		for (int i = 0; i < FDW_MAX_VARIANTS; i++)
			if (pl->cand[p][i] && !strcmp(probe_def(p)->variants[i].label, label)) {
				pl->cand[p][i] = false;
				snprintf(pl->why[p][i], FDW_REASON_LEN, "this kernel refuses %s "
					 "programs: %s", label, strerror(err < 0 ? -err : err));
			}
}

static bool kprobes_supported(void)
{
	return !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
	       !access("/sys/kernel/debug/tracing/kprobe_events", F_OK);
}

static int links_add(struct probe_set *ps, struct bpf_link *l)
{
	struct bpf_link **n = realloc(ps->links, (ps->n_links + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	ps->links = n;
	ps->links[ps->n_links++] = l;
	return 0;
}

static int variant_attach(struct probe_set *ps, const struct plan *pl, const struct variant *v,
			  char *why, int whylen, char *targets, int tlen)
{
	int first = ps->n_links, err = 0;

	targets[0] = 0;
	for_each_hook(v, h) {
		struct bpf_program *prog;
		struct bpf_link *l;
		int n;

		if (!cond_holds(&pl->conds, h->cond))
			continue;
		prog = bpf_object__find_program_by_name(ps->skel->obj, h->prog);
		if (!prog || !bpf_program__fd(prog) || bpf_program__fd(prog) < 0) {
			if (h->optional)
				continue;
			snprintf(why, whylen, "%s was not loaded", h->prog);
			err = -ENOENT;
			break;
		}
		libbpf_log_reset();
		if (!strcmp(v->label, "kprobe"))
			l = bpf_program__attach_kprobe(prog, h->retprobe, h->target);
		else
			l = bpf_program__attach(prog);
		err = libbpf_get_error(l);
		if (err) {
			if (h->optional) {
				err = 0; /* a missing optional target (7.3: unmap_page_range) */
				continue;
			}
			if (!strcmp(v->label, "kprobe") && err == -ENOENT && !kprobes_supported())
				snprintf(why, whylen, "this kernel has no kprobes (CONFIG_KPROBES)");
			else
				snprintf(why, whylen, "attach %s: %s", h->target,
					 libbpf_log_last(err));
			break;
		}
		err = links_add(ps, l);
		if (err)
			break;
		n = strlen(targets);
		if (!strstr(targets, h->target))
			snprintf(targets + n, tlen - n, "%s%s%s", n ? "," : "",
				 h->retprobe ? "ret:" : "", h->target);
	}
	if (err) {
		while (ps->n_links > first)
			bpf_link__destroy(ps->links[--ps->n_links]);
	}
	return err;
}

static void record_plan(struct probe_set *ps, const struct plan *pl)
{
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		struct probe_state *st = &ps->probes[p];

		for (int i = 0; i < FDW_MAX_VARIANTS; i++) {
			const struct variant *v = &probe_def(p)->variants[i];
			struct variant_result *r;

			if (!v->label)
				continue;
			r = &st->by_mode[v->mode];
			if (r->offered && (r->attached || r->loaded))
				continue;
			r->offered = true;
			r->present |= pl->present[p][i];
			if (pl->cand[p][i])
				r->loaded = true;
			else if (pl->why[p][i][0])
				snprintf(r->reason, sizeof(r->reason), "%s", pl->why[p][i]);
		}
	}
}

/*
 * The program a failed load named, tried alone: when it fails alone too, its
 * hooks leave their variants (optional ones) or take their variants out, as
 * weed_out would decide, for one trial load instead of one per program (each
 * parses the kernel's BTF: seconds under TCG). false: nothing was dropped.
 */
static bool drop_failed_prog(const struct probe_config *cfg, struct plan *pl, const char *btf_path,
			     const char *name)
{
	char prog[64], why[FDW_REASON_LEN];
	bool dropped = false;

	if (!name)
		return false;
	snprintf(prog, sizeof(prog), "%s", name);
	if (!trial_load(cfg, pl, prog, btf_path, why, sizeof(why)))
		return false;
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		for (int i = 0; i < FDW_MAX_VARIANTS; i++) {
			const struct variant *v = &probe_def(p)->variants[i];

			if (!pl->cand[p][i])
				continue;
			for_each_hook(v, h) {
				if (strcmp(h->prog, prog) || !cond_holds(&pl->conds, h->cond) ||
				    pl->opt_off[p][i][h - v->hooks])
					continue;
				dropped = true;
				if (hook_failed(pl, p, i, v, h, why))
					break;
			}
		}
	}
	return dropped;
}

static int load_candidates(struct probe_set *ps, struct kernel_info *ki,
			   const struct probe_config *cfg, struct plan *pl, char *msg, int msglen)
{
	const char *btf = ki->btf_path && strcmp(ki->btf_path, "/sys/kernel/btf/vmlinux") ?
				  ki->btf_path : NULL;
	int err, weeded = 0;

	mode_gate(cfg, pl, btf, "fentry");
	mode_gate(cfg, pl, btf, "tp_btf");
	for (int tries = 0; tries < 16 && weeded < 3; tries++) {
		ps->skel = skel_open(cfg, pl, NULL, btf);
		if (!ps->skel) {
			snprintf(msg, msglen, "cannot open the BPF object: %s", strerror(errno));
			return -errno;
		}
		libbpf_log_reset();
		err = fsdaxwatch_bpf__load(ps->skel);
		if (!err)
			return 0;
		snprintf(msg, msglen, "cannot load the BPF programs: %s", libbpf_log_last(err));
		fsdaxwatch_bpf__destroy(ps->skel);
		ps->skel = NULL;
		if (!drop_failed_prog(cfg, pl, btf, libbpf_log_failed_prog())) {
			weed_out(cfg, pl, btf, FDW_MODE_MAX);
			weeded++;
		}
	}
	return -EINVAL;
}

int probes_start(struct probe_set *ps, struct kernel_info *ki, const struct probe_config *cfg,
		 char *msg, int msglen)
{
	struct plan pl;
	int attached = 0, err;

	memset(ps, 0, sizeof(*ps));
	for (int p = 0; p < FDW_PROBE_MAX; p++)
		ps->probes[p].mode = FDW_MODE_MAX;
	plan_make(&pl, ki, cfg->mode);
	/* before libbpf parses its own copy of the BTF to load: a lower peak RSS */
	if (cfg->drop_btf)
		kernel_info_drop_btf(ki);
	err = load_candidates(ps, ki, cfg, &pl, msg, msglen);
	record_plan(ps, &pl);
	if (err)
		return err;
	for (int p = 0; p < FDW_PROBE_MAX; p++) {
		struct probe_state *st = &ps->probes[p];

		for (int i = 0; i < FDW_MAX_VARIANTS; i++) {
			const struct variant *v = &probe_def(p)->variants[i];
			struct variant_result *r = &st->by_mode[v->mode];

			if (!v->label || !pl.cand[p][i])
				continue;
			if (variant_attach(ps, &pl, v, r->reason, sizeof(r->reason), st->targets,
					   sizeof(st->targets))) {
				continue;
			}
			r->attached = true;
			r->reason[0] = 0;
			st->mode = v->mode;
			st->label = v->label;
			attached++;
			break;
		}
	}
	if (ps->probes[FDW_PROBE_WRITER_UNLOCK].mode == FDW_MODE_MAX)
		ps->skel->bss->dax_close_at_reply = true;
	/* INV-2: mapped pages are tracked only where their unmaps are seen too */
	if (ps->probes[FDW_PROBE_UNMAP].mode != FDW_MODE_MAX &&
	    ps->probes[FDW_PROBE_FAULT_DAX].mode != FDW_MODE_MAX)
		ps->skel->bss->mappings_on = true;
	if (!attached) {
		snprintf(msg, msglen, "no probe could be attached in %s mode",
			 fdw_mode_name(cfg->mode));
		return -ENOENT;
	}
	return 0;
}

void probes_stop(struct probe_set *ps)
{
	for (int i = ps->n_links - 1; i >= 0; i--)
		bpf_link__destroy(ps->links[i]);
	free(ps->links);
	ps->links = NULL;
	ps->n_links = 0;
	fsdaxwatch_bpf__destroy(ps->skel);
	ps->skel = NULL;
}

void probes_survey(struct probe_set *out, struct kernel_info *ki)
{
	struct probe_config cfg = { 0 };
	char msg[256];

	memset(out, 0, sizeof(*out));
	for (int m = 0; m < FDW_MODE_MAX; m++) {
		struct probe_set ps;

		cfg.mode = m;
		probes_start(&ps, ki, &cfg, msg, sizeof(msg));
		for (int p = 0; p < FDW_PROBE_MAX; p++) {
			out->probes[p].by_mode[m] = ps.probes[p].by_mode[m];
			if (ps.probes[p].mode == (enum fdw_mode)m)
				snprintf(out->probes[p].by_mode[m].reason, FDW_REASON_LEN, "%s: %s",
					 ps.probes[p].label, ps.probes[p].targets);
		}
		probes_stop(&ps);
	}
}
