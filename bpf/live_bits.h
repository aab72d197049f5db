/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Sets of mapped file pages for INV-2, the same code in the BPF programs
 * (bpf/mappings.bpf.h) and in user space (unit tests, synthetic traces):
 * the first FDW_LIVE_PAGES pages of a file as a bitmap, and an overflow mark
 * for a mapping past them, which makes a check of pages there inconclusive
 * instead of wrong. Ranges are half open, [lo, hi); hi == FDW_PG_INF is "to
 * the end of the file". Loops have constant bounds for the 5.10 verifier.
 */
#ifndef FDW_LIVE_BITS_H
#define FDW_LIVE_BITS_H

#include "fsdaxwatch.h"

#ifndef FDW_BPF_SIDE
#define live_inline static inline
#else
#define live_inline static __always_inline
#endif

struct fdw_live_set {
	__u64 bits[FDW_LIVE_WORDS];
	__u32 overflow; /* a page >= FDW_LIVE_PAGES may be mapped */
	__u32 pad;
};

/* The bits of word w (pages [64w, 64w + 64)) inside [lo, hi). */
live_inline __u64 live_word_mask(__u64 lo, __u64 hi, __u32 w)
{
	__u64 base = (__u64)w * 64, a, b;

	if (hi <= base || lo >= base + 64)
		return 0;
	a = lo > base ? lo - base : 0;
	b = hi < base + 64 ? hi - base : 64;
	if (b - a >= 64)
		return ~0ULL;
	return ((1ULL << (b - a)) - 1) << a;
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

/* A fault mapped [lo, hi). */
live_inline void live_set_add(struct fdw_live_set *s, __u64 lo, __u64 hi)
{
	for (__u32 w = 0; w < FDW_LIVE_WORDS; w++)
		s->bits[w] |= live_word_mask(lo, hi, w);
	if (hi > FDW_LIVE_PAGES)
		s->overflow = 1;
}

/* The kernel unmapped [lo, hi). */
live_inline void live_set_clear(struct fdw_live_set *s, __u64 lo, __u64 hi)
{
	for (__u32 w = 0; w < FDW_LIVE_WORDS; w++)
		s->bits[w] &= ~live_word_mask(lo, hi, w);
	if (lo <= FDW_LIVE_PAGES && hi == FDW_PG_INF)
		s->overflow = 0;
}

/*
 * Which pages of the dead range [lo, hi) are still mapped: out gets the
 * first and last + 1 of them, their count and FDW_LIVE_OVERFLOW; nonzero if
 * anything is to be reported.
 */
live_inline int live_set_check(const struct fdw_live_set *s, __u64 lo, __u64 hi,
			       struct fdw_live *out)
{
	__u64 first = 0, last = 0, found = 0, pages = 0;

	/* without branches: the verifier walks every path of an unrolled loop */
	for (__u32 w = 0; w < FDW_LIVE_WORDS; w++) {
		__u64 m = s->bits[w] & live_word_mask(lo, hi, w);
		__u64 nz = (m | -m) >> 63; /* 1 if m != 0 */
		__u64 take_first = -(nz & (found ^ 1)), take_last = -nz;

		pages += live_popcount(m);
		first = (first & ~take_first) | (((__u64)w * 64 + live_low_bit(m)) & take_first);
		last = (last & ~take_last) | (((__u64)w * 64 + live_high_bit(m) + 1) & take_last);
		found |= nz;
	}
	out->pg_lo = first;
	out->pg_hi = last;
	out->pages = pages;
	out->flags = s->overflow && hi > FDW_LIVE_PAGES ? FDW_LIVE_OVERFLOW : 0;
	return pages || out->flags;
}

#endif /* FDW_LIVE_BITS_H */
