// SPDX-License-Identifier: GPL-2.0
/* Reading a trace file: see trace_format.h for the format and what is refused. */
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "trace_reader.h"
#include "trace_stacks.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "trace files are little-endian and read as the host lays them out"
#endif

#define BLOCK_HDR FDW_TRACE_BLOCK_HDR

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* fuzzing: mutated inputs get past the CRCs into the decoding and the replay */
#define crc_ok(computed, stored) ((void)(computed), (void)(stored), true)
#else
#define crc_ok(computed, stored) ((computed) == (stored))
#endif

struct trace_reader {
	FILE *f;
	struct trace_meta meta;
	__u64 off;  /* bytes consumed: header and complete blocks */
	__u64 tail; /* bytes of an incomplete block at the end */
	bool trailer;
	bool structure_only; /* events blocks: CRC only, not decoded */
	/* the buffers of a block: next() uses set 0, trace_reader_read() the set asked for */
	struct buffer_set {
		unsigned char *sbuf; /* block as stored: header, payload, CRC */
		size_t scap;
		unsigned char *dbuf; /* decoded payload */
		size_t dcap;
		unsigned char *wbuf; /* records widened to this build's event size */
		size_t wcap;
		__u32 stored; /* payload bytes in sbuf after the block header */
	} sets[TRACE_READER_SETS];
	struct libdeflate_decompressor *inflater; /* of the thread that reads */
};

static __u16 get16(const unsigned char *p)
{
	__u16 v;

	memcpy(&v, p, 2);
	return v;
}

static __u32 get32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	return v;
}

static __u64 get64(const unsigned char *p)
{
	__u64 v;

	memcpy(&v, p, 8);
	return v;
}

static int grow(unsigned char **buf, size_t *cap, size_t need)
{
	unsigned char *p;

	if (need <= *cap)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return -1;
	*buf = p;
	*cap = need;
	return 0;
}

/* Splits a field into n NUL-separated strings copied to out[i] (sizes sz[i]). */
static int split(const unsigned char *d, size_t len, int n, char **out, const size_t *sz)
{
	size_t pos = 0;

	for (int i = 0; i < n; i++) {
		const unsigned char *end = memchr(d + pos, 0, len - pos);
		size_t l = end ? (size_t)(end - (d + pos)) : len - pos;

		if ((i < n - 1) != (end != NULL) || l >= sz[i])
			return -1;
		memcpy(out[i], d + pos, l);
		out[i][l] = 0;
		pos += l + 1;
	}
	return 0;
}

static int text(char *dst, size_t sz, const unsigned char *d, size_t len)
{
	char *out[1] = { dst };

	return split(d, len, 1, out, &sz);
}

static struct trace_probe *probe_find(struct trace_meta *m, const char *name)
{
	for (int i = 0; i < m->n_probes; i++)
		if (!strcmp(m->probes[i].name, name))
			return &m->probes[i];
	return NULL;
}

static int field_probe(struct trace_meta *m, const unsigned char *d, size_t len)
{
	struct trace_probe p = { 0 };
	char *out[4] = { p.name, p.mode, p.label, p.targets };
	const size_t sz[4] = { sizeof(p.name), sizeof(p.mode), sizeof(p.label), sizeof(p.targets) };

	if (split(d, len, 4, out, sz) || !p.name[0] || probe_find(m, p.name) ||
	    m->n_probes >= FDW_TRACE_MAX_PROBES)
		return -1;
	m->probes[m->n_probes++] = p;
	return 0;
}

static int field_variant(struct trace_meta *m, const unsigned char *d, size_t len)
{
	char name[FDW_TRACE_NAME_LEN], offered[2];
	struct trace_variant v = { 0 };
	char *out[4] = { name, v.mode, offered, v.reason };
	const size_t sz[4] = { sizeof(name), sizeof(v.mode), sizeof(offered), sizeof(v.reason) };
	struct trace_probe *p;

	if (split(d, len, 4, out, sz) || (strcmp(offered, "0") && strcmp(offered, "1")))
		return -1;
	p = probe_find(m, name);
	if (!p || p->n_variants >= FDW_TRACE_MAX_MODES)
		return -1;
	v.offered = offered[0] == '1';
	p->variants[p->n_variants++] = v;
	return 0;
}

static int field_reorder(struct trace_meta *m, const unsigned char *d, __u16 len)
{
	__u64 v = 0;

	if (!len || len > 20)
		return -1;
	for (__u16 i = 0; i < len; i++) {
		if (d[i] < '0' || d[i] > '9' || v > FDW_TRACE_REORDER_MAX)
			return -1;
		v = v * 10 + (d[i] - '0');
	}
	if (!v || v > FDW_TRACE_REORDER_MAX)
		return -1;
	m->reorder_ns = v;
	return 0;
}

static int fields_parse(struct trace_meta *m, const unsigned char *h, size_t end, __u32 n)
{
	size_t off = FDW_TRACE_HEADER_FIXED;

	for (__u32 i = 0; i < n; i++) {
		__u16 tag, len;
		const unsigned char *d;
		int err = 0;

		if (end - off < 4)
			return -1;
		tag = get16(h + off);
		len = get16(h + off + 2);
		d = h + off + 4;
		if (len > FDW_TRACE_FIELD_MAX || end - off - 4 < len)
			return -1;
		switch (tag) {
		case FDW_TRACE_FIELD_KERNEL:
			err = text(m->kernel, sizeof(m->kernel), d, len);
			break;
		case FDW_TRACE_FIELD_OPTIONS:
			err = text(m->options, sizeof(m->options), d, len);
			break;
		case FDW_TRACE_FIELD_WATCHING:
			err = text(m->watching, sizeof(m->watching), d, len);
			break;
		case FDW_TRACE_FIELD_ATTACH:
			err = text(m->attach, sizeof(m->attach), d, len);
			break;
		case FDW_TRACE_FIELD_PROBE:
			err = field_probe(m, d, len);
			break;
		case FDW_TRACE_FIELD_VARIANT:
			err = field_variant(m, d, len);
			break;
		case FDW_TRACE_FIELD_REORDER:
			err = field_reorder(m, d, len);
			break;
		default: /* a later addition: skipped */
			break;
		}
		if (err)
			return -1;
		off += 4 + len;
	}
	return off == end ? 0 : -1;
}

static int header_read(struct trace_reader *r, char *msg, size_t len)
{
	unsigned char fixed[FDW_TRACE_HEADER_FIXED], *h;
	struct trace_meta *m = &r->meta;
	size_t got = fread(fixed, 1, sizeof(fixed), r->f);
	__u32 hlen, nf;
	int err = -1;

	if (got == 0) {
		snprintf(msg, len, "empty file, not an fsdaxwatch trace");
		return -1;
	}
	if (got < 8 || memcmp(fixed, FDW_TRACE_MAGIC, 8)) {
		snprintf(msg, len, "not an fsdaxwatch trace (bad magic)");
		return -1;
	}
	if (got < sizeof(fixed)) {
		snprintf(msg, len, "the trace header is incomplete (%zu bytes)", got);
		return -1;
	}
	m->format_version = get32(fixed + 8);
	if (m->format_version > FDW_TRACE_VERSION) {
		snprintf(msg, len,
			 "trace format version %u is newer than this fsdaxwatch reads (%u)",
			 m->format_version, FDW_TRACE_VERSION);
		return -1;
	}
	hlen = get32(fixed + 12);
	if (m->format_version == 0 || hlen < FDW_TRACE_HEADER_FIXED + 4 ||
	    hlen > FDW_TRACE_HEADER_MAX) {
		snprintf(msg, len, "corrupt trace header (version %u, length %u)",
			 m->format_version, hlen);
		return -1;
	}
	h = malloc(hlen);
	if (!h) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	memcpy(h, fixed, sizeof(fixed));
	got = fread(h + sizeof(fixed), 1, hlen - sizeof(fixed), r->f);
	if (got < hlen - sizeof(fixed)) {
		snprintf(msg, len, "the trace header is incomplete (%zu of %u bytes)",
			 got + sizeof(fixed), hlen);
		goto out;
	}
	if (!crc_ok(libdeflate_crc32(0, h, hlen - 4), get32(h + hlen - 4))) {
		snprintf(msg, len, "corrupt trace header (CRC mismatch)");
		goto out;
	}
	m->schema_version = get32(h + 16);
	m->event_size = get32(h + 20);
	m->page_size = get32(h + 24);
	m->flags = get32(h + 28);
	m->mono_ns = get64(h + 32);
	m->real_ns = get64(h + 40);
	m->t0_ns = get64(h + 48);
	nf = get32(h + 56);
	if (m->schema_version != FDW_SCHEMA_VERSION ||
	    (m->event_size != sizeof(struct fdw_event) &&
	     m->event_size != FDW_TRACE_EVENT_SIZE_NOSTACKS)) {
		snprintf(msg, len,
			 "recorded with event schema %u (%u-byte records), this fsdaxwatch "
			 "reads schema %u (%zu-byte records)",
			 m->schema_version, m->event_size, FDW_SCHEMA_VERSION,
			 sizeof(struct fdw_event));
		goto out;
	}
	if (m->page_size < 512 || m->page_size > (1U << 30) ||
	    (m->page_size & (m->page_size - 1))) {
		snprintf(msg, len, "corrupt trace header (page size %u)", m->page_size);
		goto out;
	}
	if (fields_parse(m, h, hlen - 4, nf)) {
		snprintf(msg, len, "corrupt trace header (fields)");
		goto out;
	}
	r->off = hlen;
	err = 0;
out:
	free(h);
	return err;
}

struct trace_reader *trace_reader_open(FILE *f, char *msg, size_t len)
{
	struct trace_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(msg, len, "out of memory");
		return NULL;
	}
	r->f = f;
	if (header_read(r, msg, len)) {
		free(r);
		return NULL;
	}
	return r;
}

const struct trace_meta *trace_reader_meta(const struct trace_reader *r)
{
	return &r->meta;
}

static int records_check(const struct trace_block *b, char *msg, size_t len)
{
	for (__u32 i = 0; i < b->count; i++) {
		__u32 t = trace_block_record(b, i)->type;

		if ((t == 0 || t >= FDW_EV_TYPE_MAX) && t != FDW_TRACE_REC_TICK) {
			snprintf(msg, len, "block at offset %llu: record %u has unknown type %u",
				 (unsigned long long)b->offset, i, t);
			return -1;
		}
	}
	return 0;
}

/* items: u64 value, u8 name length, name */
static bool counters_check(const unsigned char *d, __u32 len)
{
	__u32 pos = 0;

	while (pos < len) {
		if (len - pos < 9 || len - pos - 9 < d[pos + 8])
			return false;
		pos += 9 + d[pos + 8];
	}
	return true;
}

static int entries_check(const struct trace_block *b, char *msg, size_t len)
{
	size_t pos = 0;
	__u32 n = 0;

	while (b->len - pos >= 8) {
		__u32 kind = get32(b->data + pos), l = get32(b->data + pos + 4);
		bool ok = true;

		if (l > b->len - pos - 8)
			break;
		if (kind == FDW_TRACE_ENT_INODE_FAULTS)
			ok = l == sizeof(struct fdw_inode_id) + 16;
		else if (kind == FDW_TRACE_ENT_COUNTERS)
			ok = counters_check(b->data + pos + 8, l);
		else if (kind == FDW_TRACE_ENT_MISSING)
			ok = l <= FDW_TRACE_FIELD_MAX;
		else if (kind == FDW_TRACE_ENT_ELAPSED)
			ok = l == 8;
		else if (kind == FDW_TRACE_ENT_STACK)
			ok = trace_stack_parse(b->data + pos + 8, l, NULL) == 0;
		if (!ok) {
			snprintf(msg, len,
				 "trailer at offset %llu: entry %u (kind %u) has length %u",
				 (unsigned long long)b->offset, n, kind, l);
			return -1;
		}
		pos += 8 + l;
		n++;
	}
	if (pos != b->len || n != b->count) {
		snprintf(msg, len, "trailer at offset %llu: entries do not fill it",
			 (unsigned long long)b->offset);
		return -1;
	}
	return 0;
}

/* Records of a recording without stack ids: the same layout, shorter; the rest is 0. */
static int records_widen(const struct trace_reader *r, struct buffer_set *bs, struct trace_block *b)
{
	size_t in = r->meta.event_size, out = sizeof(struct fdw_event);

	if (in == out)
		return 0;
	if (grow(&bs->wbuf, &bs->wcap, b->count ? b->count * out : 1))
		return -1;
	memset(bs->wbuf, 0, b->count * out);
	for (__u32 i = 0; i < b->count; i++)
		memcpy(bs->wbuf + i * out, b->data + i * in, in);
	b->data = bs->wbuf;
	b->len = b->count * out;
	return 0;
}

/*
 * A zlib stream (compress2()) is a 2-byte header, raw deflate data and an
 * Adler-32 of the decoded bytes. The block's CRC-32 already covers the
 * stored bytes, so the deflate data is inflated raw, by libdeflate (twice
 * zlib's speed on whole buffers), and the Adler-32 pass is skipped; the
 * header is still checked, and the deflate data must fill exactly the
 * bytes before the 4 trailer bytes and decode to exactly raw_len bytes.
 */
static int zlib_inflate(struct libdeflate_decompressor **inflater, unsigned char *out,
			__u32 out_len, const unsigned char *p, __u32 stored)
{
	size_t in_used, out_used;

	if (stored < 6 || (p[0] & 0x0f) != Z_DEFLATED || (p[0] >> 4) > 7 || (p[1] & 0x20) ||
	    ((p[0] << 8) | p[1]) % 31)
		return -1;
	if (!*inflater)
		*inflater = libdeflate_alloc_decompressor();
	if (!*inflater ||
	    libdeflate_deflate_decompress_ex(*inflater, p + 2, stored - 6, out, out_len, &in_used,
					     &out_used) != LIBDEFLATE_SUCCESS)
		return -1;
	return in_used == stored - 6 && out_used == out_len ? 0 : -1;
}

static int block_decode(struct buffer_set *bs, struct libdeflate_decompressor **inflater,
			struct trace_block *b, char *msg, size_t len)
{
	const unsigned char *p = bs->sbuf + BLOCK_HDR;

	if (b->encoding == FDW_TRACE_ENC_RAW) {
		b->data = p;
		return 0;
	}
	if (grow(&bs->dbuf, &bs->dcap, b->len ? b->len : 1)) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	if (zlib_inflate(inflater, bs->dbuf, b->len, p, bs->stored)) {
		snprintf(msg, len, "block at offset %llu: payload does not decode",
			 (unsigned long long)b->offset);
		return -1;
	}
	b->data = bs->dbuf;
	return 0;
}

/* The payload of an events block: decoded, widened, every record's type checked. */
static int events_decode(const struct trace_reader *r, struct buffer_set *bs,
			 struct libdeflate_decompressor **inflater, struct trace_block *b,
			 char *msg, size_t len)
{
	if (block_decode(bs, inflater, b, msg, len))
		return -1;
	if (records_widen(r, bs, b)) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	return records_check(b, msg, len);
}

/* The end of the file inside a block: got bytes of it. */
static int cut_short(struct trace_reader *r, size_t got)
{
	r->tail = got;
	return 0;
}

/*
 * Reads block into bs and checks its header and CRC; a trailer is also
 * decoded and checked, an events block only when *decode is NULL (else
 * *decode says whether events_decode() is still to be done).
 */
static int block_read(struct trace_reader *r, struct buffer_set *bs, struct trace_block *b,
		      bool *decode, char *msg, size_t len)
{
	unsigned char *h;
	__u32 stored, raw, max;
	size_t got;

	memset(b, 0, sizeof(*b));
	b->offset = r->off;
	if (decode)
		*decode = false;
	if (r->tail)
		return 0;
	if (grow(&bs->sbuf, &bs->scap, BLOCK_HDR)) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	h = bs->sbuf;
	got = fread(h, 1, BLOCK_HDR, r->f);
	if (got && r->trailer) {
		snprintf(msg, len, "data after the trailer at offset %llu",
			 (unsigned long long)r->off);
		return -1;
	}
	if (got >= 4 && get32(h) != FDW_TRACE_BLOCK_MAGIC) {
		snprintf(msg, len, "block at offset %llu: bad magic", (unsigned long long)r->off);
		return -1;
	}
	if (got < BLOCK_HDR)
		return cut_short(r, got);
	b->kind = get16(h + 4);
	b->encoding = get16(h + 6);
	stored = get32(h + 8);
	raw = get32(h + 12);
	b->count = get32(h + 16);
	b->first_ts = get64(h + 24);
	b->last_ts = get64(h + 32);
	b->len = raw;
	max = b->kind == FDW_TRACE_BLOCK_TRAILER ? FDW_TRACE_TRAILER_MAX : FDW_TRACE_EVENTS_MAX;
	if ((b->kind != FDW_TRACE_BLOCK_EVENTS && b->kind != FDW_TRACE_BLOCK_TRAILER) ||
	    b->encoding > FDW_TRACE_ENC_ZLIB || get32(h + 20) || raw > max ||
	    (b->encoding == FDW_TRACE_ENC_RAW && stored != raw) ||
	    (b->encoding == FDW_TRACE_ENC_ZLIB && (!stored || stored > compressBound(raw))) ||
	    (b->kind == FDW_TRACE_BLOCK_EVENTS &&
	     (b->count > raw / r->meta.event_size || raw != b->count * r->meta.event_size))) {
		snprintf(msg, len,
			 "block at offset %llu: impossible header (kind %u, encoding %u, "
			 "%u stored, %u raw, %u records)",
			 (unsigned long long)r->off, b->kind, b->encoding, stored, raw, b->count);
		return -1;
	}
	if (grow(&bs->sbuf, &bs->scap, BLOCK_HDR + (size_t)stored + 4)) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	h = bs->sbuf;
	bs->stored = stored;
	got = fread(h + BLOCK_HDR, 1, stored + 4, r->f);
	if (got < stored + 4)
		return cut_short(r, BLOCK_HDR + got);
	if (!crc_ok(libdeflate_crc32(0, h, BLOCK_HDR + stored), get32(h + BLOCK_HDR + stored))) {
		snprintf(msg, len, "block at offset %llu: CRC mismatch",
			 (unsigned long long)r->off);
		return -1;
	}
	if (b->kind == FDW_TRACE_BLOCK_TRAILER) {
		if (block_decode(bs, &r->inflater, b, msg, len) || entries_check(b, msg, len))
			return -1;
	} else if (r->structure_only) {
		b->data = NULL;
	} else if (decode) {
		*decode = true; /* events_decode() later, by the caller */
	} else if (events_decode(r, bs, &r->inflater, b, msg, len)) {
		return -1;
	}
	r->off += BLOCK_HDR + stored + 4;
	if (b->kind == FDW_TRACE_BLOCK_TRAILER)
		r->trailer = true;
	return 1;
}

int trace_reader_next(struct trace_reader *r, struct trace_block *b, char *msg, size_t len)
{
	return block_read(r, &r->sets[0], b, NULL, msg, len);
}

int trace_reader_read(struct trace_reader *r, unsigned int set, struct trace_block *b, bool *decode,
		      char *msg, size_t len)
{
	if (set >= TRACE_READER_SETS) {
		snprintf(msg, len, "no buffer set %u", set);
		return -1;
	}
	return block_read(r, &r->sets[set], b, decode, msg, len);
}

/* touches only set `set` and reads meta: may run while another thread reads (header) */
int trace_reader_decode(struct trace_reader *r, unsigned int set, struct trace_block *b,
			struct libdeflate_decompressor **inflater, char *msg, size_t len)
{
	if (set >= TRACE_READER_SETS) {
		snprintf(msg, len, "no buffer set %u", set);
		return -1;
	}
	return events_decode(r, &r->sets[set], inflater, b, msg, len);
}

void trace_reader_structure_only(struct trace_reader *r)
{
	r->structure_only = true;
}

__u64 trace_reader_tail(const struct trace_reader *r)
{
	return r->tail;
}

bool trace_reader_trailer(const struct trace_reader *r)
{
	return r->trailer;
}

__u64 trace_reader_offset(const struct trace_reader *r)
{
	return r->off;
}

void trace_reader_free(struct trace_reader *r)
{
	if (!r)
		return;
	libdeflate_free_decompressor(r->inflater);
	for (unsigned int i = 0; i < TRACE_READER_SETS; i++) {
		free(r->sets[i].sbuf);
		free(r->sets[i].dbuf);
		free(r->sets[i].wbuf);
	}
	free(r);
}

int trace_entry_next(const struct trace_block *b, size_t *pos, struct trace_entry *e)
{
	if (b->len - *pos < 8)
		return 0;
	e->kind = get32(b->data + *pos);
	e->len = get32(b->data + *pos + 4);
	e->data = b->data + *pos + 8;
	*pos += 8 + e->len;
	return 1;
}
