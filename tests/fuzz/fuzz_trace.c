// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a trace file as `fsdaxwatch report` reads it. The input
 * is checked (trace_replay without a detector); if it passes, it is replayed
 * into the detector, finished and summed up, and drawn as a timeline (to
 * /dev/null), as `report --perfetto` does. Built with
 * -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, which skips the CRC checks so
 * that mutated inputs get past them (test_corrupt.sh covers the CRCs).
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "detector.h"
#include "perfetto.h"
#include "trace_replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
	struct perfetto *pf;
};

static void on_violation(void *ctx, const struct fdw_violation *v)
{
	perfetto_violation(((struct fuzz_ctx *)ctx)->pf, v);
}

static void on_writer(void *ctx, const struct fdw_writer_rec *w)
{
	perfetto_writer(((struct fuzz_ctx *)ctx)->pf, w);
}

static void on_event(void *ctx, const struct fdw_event *e)
{
	perfetto_event(((struct fuzz_ctx *)ctx)->pf, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct replay_result res, res2; /* large: not on the stack */
	struct fuzz_ctx fc = { 0 };
	struct fdw_sink sink = { on_violation, NULL, on_writer, &fc };
	struct fdw_detector_opts dopts = { 0 };
	const struct fdw_summary *s;
	struct fdw_detector *det;
	char msg[512];
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	res.stacks = stack_table_new(); /* the trailer's STACK entries go here */
	if (trace_replay(f, NULL, NULL, NULL, &res, msg, sizeof(msg)))
		goto out;
	for (size_t i = 0; i < stack_table_count(res.stacks); i++) {
		const struct fdw_stack *st = stack_table_at(res.stacks, i);

		if (st->n > FDW_STACK_DEPTH || stack_first_frame(st) > st->n)
			abort();
	}
	fc.pf = perfetto_open("/dev/null", &res.meta, res.meta.t0_ns, msg, sizeof(msg));
	if (!fc.pf)
		goto out;
	dopts.strict = !!(res.meta.flags & FDW_TRACE_F_STRICT);
	det = fdw_detector_new(&dopts, &sink);
	if (trace_replay(f, det, on_event, &fc, &res2, msg, sizeof(msg)))
		abort(); /* the same bytes checked fine a moment ago */
	fdw_detector_finish(det);
	s = fdw_detector_summary(det);
	if (s->n_inodes && !s->inodes)
		abort();
	(void)fdw_detector_exit_code(det);
	fdw_detector_free(det);
	perfetto_close(fc.pf);
out:
	stack_table_free(res.stacks);
	res.stacks = NULL;
	fclose(f);
	return 0;
}
