// SPDX-License-Identifier: GPL-2.0
/* Writing a trace file: see trace_format.h for the format. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "names.h"
#include "trace_writer.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "trace files are little-endian and written as the host lays them out"
#endif

struct trace_writer {
	int fd;
	int err; /* first error, -errno */
	bool compress;
	/* the events block being filled */
	unsigned char *buf;
	size_t len;
	__u32 count;
	__u64 first_ts, last_ts;
	__u64 born; /* CLOCK_MONOTONIC when the block got its first event, 0: none yet */
	/* a block as written: header, payload, CRC */
	unsigned char *out;
	size_t out_cap;
	/* the trailer's entries */
	unsigned char *trl;
	size_t trl_len, trl_cap;
	__u32 trl_count;
	struct trace_writer_stats st;
};

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void put32(unsigned char *p, __u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(unsigned char *p, __u64 v)
{
	memcpy(p, &v, 8);
}

static void fail(struct trace_writer *tw, int err)
{
	if (!tw->err)
		tw->err = err;
}

static int write_all(struct trace_writer *tw, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n && !tw->err) {
		ssize_t w = write(tw->fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fail(tw, w < 0 ? -errno : -EIO);
			break;
		}
		c += w;
		n -= w;
		tw->st.bytes += w;
	}
	return tw->err;
}

static int out_reserve(struct trace_writer *tw, size_t n)
{
	unsigned char *p;

	if (n <= tw->out_cap)
		return 0;
	p = realloc(tw->out, n);
	if (!p) {
		fail(tw, -ENOMEM);
		return -ENOMEM;
	}
	tw->out = p;
	tw->out_cap = n;
	return 0;
}

/* Encodes payload into a block and writes it. */
static void block_write(struct trace_writer *tw, __u16 kind, const unsigned char *payload,
			size_t raw_len, __u32 count, __u64 first_ts, __u64 last_ts)
{
	size_t hdr = FDW_TRACE_BLOCK_HDR, stored = raw_len;
	__u16 enc = FDW_TRACE_ENC_RAW;
	uLongf zlen;
	__u32 crc;

	if (tw->err || out_reserve(tw, hdr + compressBound(raw_len) + 4))
		return;
	zlen = tw->out_cap - hdr - 4;
	/*
	 * Level 3: on event records it compresses as fast as level 1, a third
	 * smaller, and inflates a quarter faster (the report's bottleneck).
	 */
	if (tw->compress && raw_len &&
	    compress2(tw->out + hdr, &zlen, payload, raw_len, 3) == Z_OK && zlen < raw_len) {
		enc = FDW_TRACE_ENC_ZLIB;
		stored = zlen;
	} else {
		memcpy(tw->out + hdr, payload, raw_len);
	}
	put32(tw->out, FDW_TRACE_BLOCK_MAGIC);
	memcpy(tw->out + 4, &kind, 2);
	memcpy(tw->out + 6, &enc, 2);
	put32(tw->out + 8, stored);
	put32(tw->out + 12, raw_len);
	put32(tw->out + 16, count);
	put32(tw->out + 20, 0);
	put64(tw->out + 24, first_ts);
	put64(tw->out + 32, last_ts);
	crc = crc32(0L, tw->out, hdr + stored);
	put32(tw->out + hdr + stored, crc);
	if (!write_all(tw, tw->out, hdr + stored + 4))
		tw->st.blocks++;
}

static void events_flush(struct trace_writer *tw)
{
	if (!tw->count)
		return;
	block_write(tw, FDW_TRACE_BLOCK_EVENTS, tw->buf, tw->len, tw->count, tw->first_ts,
		    tw->last_ts);
	tw->len = 0;
	tw->count = 0;
	tw->first_ts = tw->last_ts = tw->born = 0;
}

static void record_add(struct trace_writer *tw, const struct fdw_event *e, bool event)
{
	if (tw->err)
		return;
	if (event && !tw->born)
		tw->born = mono_now();
	memcpy(tw->buf + tw->len, e, sizeof(*e));
	tw->len += sizeof(*e);
	tw->count++;
	tw->st.records++;
	tw->st.raw_bytes += sizeof(*e);
	if (event) {
		tw->st.events++;
		if (!tw->first_ts || e->ts < tw->first_ts)
			tw->first_ts = e->ts;
		if (e->ts > tw->last_ts)
			tw->last_ts = e->ts;
	} else {
		tw->st.ticks++;
	}
	if (tw->len + sizeof(*e) > FDW_TRACE_BLOCK_CUT)
		events_flush(tw);
}

struct trace_writer *trace_writer_create(const char *path, bool compress, char *msg, int len)
{
	struct trace_writer *tw = calloc(1, sizeof(*tw));

	if (tw)
		tw->buf = malloc(FDW_TRACE_BLOCK_CUT);
	if (!tw || !tw->buf) {
		snprintf(msg, len, "out of memory");
		goto err;
	}
	tw->compress = compress;
	tw->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (tw->fd < 0) {
		snprintf(msg, len, "cannot create %s: %s", path, strerror(errno));
		goto err;
	}
	return tw;
err:
	if (tw)
		free(tw->buf);
	free(tw);
	return NULL;
}

/* Appends one header field; strings longer than a field can hold are cut. */
static void field_add(unsigned char *h, size_t *off, __u32 *n, __u16 tag, const char *s[], int ns)
{
	size_t start = *off + 4, pos = start;
	__u16 flen;

	for (int i = 0; i < ns; i++) {
		size_t l = strlen(s[i]);

		if (i)
			h[pos++] = 0;
		if (pos - start + l > FDW_TRACE_FIELD_MAX)
			l = FDW_TRACE_FIELD_MAX > pos - start ? FDW_TRACE_FIELD_MAX - (pos - start)
							      : 0;
		memcpy(h + pos, s[i], l);
		pos += l;
	}
	flen = pos - start;
	memcpy(h + *off, &tag, 2);
	memcpy(h + *off + 2, &flen, 2);
	*off = pos;
	(*n)++;
}

int trace_writer_header(struct trace_writer *tw, const struct trace_meta *m)
{
	/* every field is at most 4 + FDW_TRACE_FIELD_MAX bytes */
	size_t cap = FDW_TRACE_HEADER_FIXED +
		     (4 + FDW_TRACE_MAX_PROBES * (1 + FDW_TRACE_MAX_MODES)) *
			     (4 + FDW_TRACE_FIELD_MAX + 1) +
		     4;
	unsigned char *h = calloc(1, cap);
	size_t off = FDW_TRACE_HEADER_FIXED;
	__u32 n = 0;
	struct timespec mono, real;

	if (!h) {
		fail(tw, -ENOMEM);
		return tw->err;
	}
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	field_add(h, &off, &n, FDW_TRACE_FIELD_KERNEL, (const char *[]){ m->kernel }, 1);
	field_add(h, &off, &n, FDW_TRACE_FIELD_OPTIONS, (const char *[]){ m->options }, 1);
	field_add(h, &off, &n, FDW_TRACE_FIELD_WATCHING, (const char *[]){ m->watching }, 1);
	field_add(h, &off, &n, FDW_TRACE_FIELD_ATTACH, (const char *[]){ m->attach }, 1);
	if (m->reorder_ns) {
		char ns[24];

		snprintf(ns, sizeof(ns), "%llu", (unsigned long long)m->reorder_ns);
		field_add(h, &off, &n, FDW_TRACE_FIELD_REORDER, (const char *[]){ ns }, 1);
	}
	for (int p = 0; p < m->n_probes && p < FDW_TRACE_MAX_PROBES; p++) {
		const struct trace_probe *pr = &m->probes[p];

		field_add(h, &off, &n, FDW_TRACE_FIELD_PROBE,
			  (const char *[]){ pr->name, pr->mode, pr->label, pr->targets }, 4);
		for (int v = 0; v < pr->n_variants && v < FDW_TRACE_MAX_MODES; v++) {
			const struct trace_variant *va = &pr->variants[v];

			field_add(h, &off, &n, FDW_TRACE_FIELD_VARIANT,
				  (const char *[]){ pr->name, va->mode, va->offered ? "1" : "0",
						    va->reason },
				  4);
		}
	}
	memcpy(h, FDW_TRACE_MAGIC, 8);
	put32(h + 8, FDW_TRACE_VERSION);
	put32(h + 12, off + 4);
	put32(h + 16, FDW_SCHEMA_VERSION);
	put32(h + 20, sizeof(struct fdw_event));
	put32(h + 24, m->page_size);
	put32(h + 28, m->flags);
	put64(h + 32, mono.tv_sec * 1000000000ULL + mono.tv_nsec);
	put64(h + 40, real.tv_sec * 1000000000ULL + real.tv_nsec);
	put64(h + 48, m->t0_ns);
	put32(h + 56, n);
	put32(h + 60, 0);
	put32(h + off, crc32(0L, h, off));
	write_all(tw, h, off + 4);
	free(h);
	return tw->err;
}

void trace_writer_event(struct trace_writer *tw, const struct fdw_event *e)
{
	record_add(tw, e, true);
}

void trace_writer_tick(struct trace_writer *tw, __u64 horizon, __u64 now)
{
	struct fdw_event t = { .type = FDW_TRACE_REC_TICK, .ts = horizon };

	record_add(tw, &t, false);
	/* blocks of ticks alone wait: a run killed loses no event with them */
	if (tw->born && now - tw->born >= FDW_TRACE_BLOCK_MS * 1000000ULL)
		events_flush(tw);
}

static void entry_add(struct trace_writer *tw, __u32 kind, const void *a, __u32 alen, const void *b,
		      __u32 blen)
{
	size_t need = tw->trl_len + 8 + alen + blen;

	if (tw->err)
		return;
	if (need > FDW_TRACE_TRAILER_MAX) {
		fail(tw, -EFBIG);
		return;
	}
	if (need > tw->trl_cap) {
		size_t cap = tw->trl_cap ? tw->trl_cap : 4096;
		unsigned char *p;

		while (cap < need)
			cap *= 2;
		p = realloc(tw->trl, cap);
		if (!p) {
			fail(tw, -ENOMEM);
			return;
		}
		tw->trl = p;
		tw->trl_cap = cap;
	}
	put32(tw->trl + tw->trl_len, kind);
	put32(tw->trl + tw->trl_len + 4, alen + blen);
	memcpy(tw->trl + tw->trl_len + 8, a, alen);
	if (blen)
		memcpy(tw->trl + tw->trl_len + 8 + alen, b, blen);
	tw->trl_len = need;
	tw->trl_count++;
}

void trace_writer_inode_faults(struct trace_writer *tw, const struct fdw_inode_id *id, __u64 faults,
			       __u64 faults_dax)
{
	__u64 n[2] = { faults, faults_dax };

	entry_add(tw, FDW_TRACE_ENT_INODE_FAULTS, id, sizeof(*id), n, sizeof(n));
}

static size_t named_put(unsigned char *buf, const char *name, __u64 value)
{
	size_t l = strlen(name) > 255 ? 255 : strlen(name);

	memcpy(buf, &value, 8);
	buf[8] = l;
	memcpy(buf + 9, name, l);
	return 9 + l;
}

void trace_writer_counters(struct trace_writer *tw, const __u64 cnt[FDW_CNT_MAX],
			   const struct trace_named *extra, int n_extra)
{
	unsigned char *buf = malloc((FDW_CNT_MAX + n_extra) * (8 + 1 + 255));
	size_t len = 0;

	if (!buf) {
		fail(tw, -ENOMEM);
		return;
	}
	for (int i = 0; i < FDW_CNT_MAX; i++)
		len += named_put(buf + len, counter_name(i), cnt[i]);
	for (int i = 0; i < n_extra; i++)
		len += named_put(buf + len, extra[i].name, extra[i].value);
	entry_add(tw, FDW_TRACE_ENT_COUNTERS, buf, len, NULL, 0);
	free(buf);
}

void trace_writer_missing(struct trace_writer *tw, const char *why)
{
	size_t l = strlen(why);

	entry_add(tw, FDW_TRACE_ENT_MISSING, why, l > FDW_TRACE_FIELD_MAX ? FDW_TRACE_FIELD_MAX : l,
		  NULL, 0);
}

void trace_writer_stack(struct trace_writer *tw, __u32 kind, __u32 id, __u32 pid, const __u64 *ip,
			char *const *names, __u32 n)
{
	unsigned char buf[16 + FDW_STACK_DEPTH * (10 + FDW_TRACE_STACK_NAME_MAX)];
	size_t len = 16;

	if (n > FDW_STACK_DEPTH)
		n = FDW_STACK_DEPTH;
	put32(buf, kind);
	put32(buf + 4, id);
	put32(buf + 8, pid);
	put32(buf + 12, n);
	for (__u32 i = 0; i < n; i++) {
		size_t l = names && names[i] ? strlen(names[i]) : 0;
		__u16 l16;

		if (l > FDW_TRACE_STACK_NAME_MAX)
			l = FDW_TRACE_STACK_NAME_MAX;
		l16 = l;
		put64(buf + len, ip[i]);
		memcpy(buf + len + 8, &l16, 2);
		if (l)
			memcpy(buf + len + 10, names[i], l);
		len += 10 + l;
	}
	entry_add(tw, FDW_TRACE_ENT_STACK, buf, len, NULL, 0);
}

static void writer_free(struct trace_writer *tw)
{
	if (tw->fd >= 0 && close(tw->fd))
		fail(tw, -errno);
	free(tw->buf);
	free(tw->out);
	free(tw->trl);
	free(tw);
}

int trace_writer_close(struct trace_writer *tw, double elapsed)
{
	int err;

	events_flush(tw);
	entry_add(tw, FDW_TRACE_ENT_ELAPSED, &elapsed, sizeof(elapsed), NULL, 0);
	block_write(tw, FDW_TRACE_BLOCK_TRAILER, tw->trl, tw->trl_len, tw->trl_count, 0, 0);
	if (tw->fd >= 0 && close(tw->fd))
		fail(tw, -errno);
	tw->fd = -1;
	err = tw->err;
	writer_free(tw);
	return err;
}

void trace_writer_abandon(struct trace_writer *tw)
{
	writer_free(tw);
}

int trace_writer_error(const struct trace_writer *tw)
{
	return tw->err;
}

void trace_writer_stats(const struct trace_writer *tw, struct trace_writer_stats *st)
{
	*st = tw->st;
}
