/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Sets of mapped file pages for INV-2, the same code in the BPF programs
 * (bpf/mappings.bpf.h) and in user space (unit tests, synthetic traces):
 * the first FDW_LIVE_PAGES pages of a file as a bitmap; past them, a bit per
 * 2 MiB chunk (set by any mapped page in it, cleared only by an unmap of all
 * of it, as break layouts does for a reclaimed DAX range) up to 512 MiB, and
 * one mark beyond. A set chunk or mark makes a check of pages there
 * inconclusive instead of wrong. Ranges are half open, [lo, hi); hi ==
 * FDW_PG_INF is "to the end of the file". Loops have constant bounds for the
 * 5.10 verifier.
 */
#ifndef FDW_LIVE_BITS_H
#define FDW_LIVE_BITS_H

#include "fsdaxwatch.h"

#ifndef FDW_BPF_SIDE
#define live_inline    static inline
#define live_opaque(v) ((void)0)
#else
#define live_inline    static __always_inline
/*
 * Hides v from the compiler, which would otherwise turn the sign-mask
 * arithmetic below back into compares and jumps: every jump in an unrolled
 * loop doubles the paths the verifier walks.
 */
#define live_opaque(v) asm volatile("" : "+r"(v))
#endif

struct fdw_live_set {
	__u64 bits[FDW_LIVE_WORDS];	    /* page p < FDW_LIVE_PAGES is mapped */
	__u64 chunks[FDW_LIVE_CHUNK_WORDS]; /* a page >= FDW_LIVE_PAGES of chunk c may be */
	__u32 far;			    /* a page >= FDW_LIVE_CHUNK_PAGES may be */
	__u32 pad;
};

/* Indexes are clipped below 2^40 so that the arithmetic below stays signed-safe. */
#define FDW_LIVE_CLIP (1ULL << 40)

live_inline __u64 live_clip(__u64 x)
{
	return x > FDW_LIVE_CLIP ? FDW_LIVE_CLIP : x;
}

/* min(max(x, 0), 64) without a branch */
live_inline __s64 live_clamp64(__s64 x)
{
	__s64 neg = x >> 63, over;

	live_opaque(neg);
	x &= ~neg;
	over = (64 - x) >> 63;
	live_opaque(over);
	return (x & ~over) | (64 & over);
}

/*
 * The bits of word w (indexes [64w, 64w + 64)) inside [lo, hi), lo and hi
 * clipped. Without branches: in an unrolled loop each branch would double
 * the paths the verifier walks.
 */
live_inline __u64 live_word_mask(__u64 lo, __u64 hi, __u32 w)
{
	__s64 base = (__s64)w * 64;
	__s64 a = live_clamp64((__s64)lo - base), b = live_clamp64((__s64)hi - base);
	__u64 n = (__u64)live_clamp64(b - a), nz = (n | -n) >> 63;

	live_opaque(nz);
	return ((~0ULL >> ((64 - n) & 63)) & -nz) << (a & 63);
}

live_inline __u64 live_popcount(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

/* Index of the lowest and of the highest set bit of x != 0. */
live_inline __u64 live_low_bit(__u64 x)
{
	return live_popcount((x & -x) - 1);
}

live_inline __u64 live_high_bit(__u64 x)
{
	x |= x >> 1;
	x |= x >> 2;
	x |= x >> 4;
	x |= x >> 8;
	x |= x >> 16;
	x |= x >> 32;
	return live_popcount(x) - 1;
}

/* The chunk holding page p, or FDW_LIVE_CHUNKS for any page past the chunks. */
live_inline __u64 live_chunk(__u64 p)
{
	return p >= FDW_LIVE_CHUNK_PAGES ? FDW_LIVE_CHUNKS : p >> FDW_LIVE_CHUNK_SHIFT;
}

/* The chunk after the one holding page p - 1 (the chunks [lo, hi) touches end there). */
live_inline __u64 live_chunk_up(__u64 p)
{
	return p >= FDW_LIVE_CHUNK_PAGES
		       ? FDW_LIVE_CHUNKS
		       : (p + (1ULL << FDW_LIVE_CHUNK_SHIFT) - 1) >> FDW_LIVE_CHUNK_SHIFT;
}

live_inline __u64 live_max(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

/* A fault mapped [lo, hi). */
live_inline void live_set_add(struct fdw_live_set *s, __u64 lo, __u64 hi)
{
	__u64 clo = live_chunk(live_max(lo, FDW_LIVE_PAGES)), chi = live_chunk_up(hi);

	if (hi > FDW_LIVE_CHUNK_PAGES)
		s->far = 1;
	lo = live_clip(lo);
	hi = live_clip(hi);
	for (__u32 w = 0; w < FDW_LIVE_WORDS; w++)
		s->bits[w] |= live_word_mask(lo, hi, w);
	for (__u32 w = 0; w < FDW_LIVE_CHUNK_WORDS; w++)
		s->chunks[w] |= live_word_mask(clo, chi, w);
}

/* The kernel unmapped [lo, hi): a chunk is cleared only when all of it was. */
live_inline void live_set_clear(struct fdw_live_set *s, __u64 lo, __u64 hi)
{
	__u64 clo = live_chunk_up(lo), chi = hi == FDW_PG_INF ? FDW_LIVE_CHUNKS : live_chunk(hi);

	if (lo <= FDW_LIVE_CHUNK_PAGES && hi == FDW_PG_INF)
		s->far = 0;
	lo = live_clip(lo);
	hi = live_clip(hi);
	for (__u32 w = 0; w < FDW_LIVE_WORDS; w++)
		s->bits[w] &= ~live_word_mask(lo, hi, w);
	for (__u32 w = 0; w < FDW_LIVE_CHUNK_WORDS; w++)
		s->chunks[w] &= ~live_word_mask(clo, chi, w);
}

/*
 * Which pages of the dead range [lo, hi) are still mapped: out gets the
 * first and last + 1 of them, their count, and FDW_LIVE_OVERFLOW when a
 * chunk or the far mark says pages past the tracked ones may be too;
 * nonzero if anything is to be reported.
 */
live_inline int live_set_check(const struct fdw_live_set *s, __u64 lo, __u64 hi,
			       struct fdw_live *out)
{
	__u64 first = 0, last = 0, found = 0, pages = 0, ovf = 0;
	__u64 clo = live_chunk(live_max(lo, FDW_LIVE_PAGES)), chi = live_chunk_up(hi);
	__u32 far = s->far && hi > FDW_LIVE_CHUNK_PAGES;

	lo = live_clip(lo);
	hi = live_clip(hi);
	/* without branches, as live_word_mask() */
	for (__u32 w = 0; w < FDW_LIVE_WORDS; w++) {
		__u64 m = s->bits[w] & live_word_mask(lo, hi, w);
		__u64 nz = (m | -m) >> 63; /* 1 if m != 0 */
		__u64 take_first, take_last;

		live_opaque(nz);
		take_first = -(nz & (found ^ 1));
		take_last = -nz;
		pages += live_popcount(m);
		first = (first & ~take_first) | (((__u64)w * 64 + live_low_bit(m)) & take_first);
		last = (last & ~take_last) | (((__u64)w * 64 + live_high_bit(m) + 1) & take_last);
		found |= nz;
	}
	for (__u32 w = 0; w < FDW_LIVE_CHUNK_WORDS; w++)
		ovf |= s->chunks[w] & live_word_mask(clo, chi, w);
	out->pg_lo = first;
	out->pg_hi = last;
	out->pages = pages;
	out->flags = ovf || far ? FDW_LIVE_OVERFLOW : 0;
	return pages || out->flags;
}

#endif /* FDW_LIVE_BITS_H */
