// SPDX-License-Identifier: GPL-2.0
/*
 * fake_fentry.so: LD_PRELOAD shim for `bpftrace -d` (dry run) only.
 *
 * bpftrace 0.17 decides whether kfunc (fentry) probes exist by loading a tiny
 * BPF_PROG_TYPE_TRACING program; on a kernel that refuses fentry (EPERM) it
 * then rejects every kfunc script before parsing its arguments. This shim
 * answers that one probe load with a dummy file descriptor so that the dry
 * run goes on to bpftrace's real checks: parser, semantic analysis against
 * the kernel BTF (function exists, argument names and types, struct fields),
 * and code generation. A dry run never loads or attaches programs, so no
 * other call is affected; every other syscall goes to the kernel unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	va_list ap;
	long a[6];
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_bpf && a[0] == BPF_PROG_LOAD && a[1]) {
		const union bpf_attr *attr = (const void *)a[1];

		if (attr->prog_type == BPF_PROG_TYPE_TRACING)
			return open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
