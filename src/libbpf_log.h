/* SPDX-License-Identifier: GPL-2.0 */
/* libbpf's messages: kept to explain a failure in one line, printed with -v. */
#ifndef FDW_LIBBPF_LOG_H
#define FDW_LIBBPF_LOG_H

void libbpf_log_init(int verbose);
void libbpf_log_reset(void);
/* the most telling libbpf line since the last reset, else strerror(err) */
const char *libbpf_log_last(int err);
/* the program libbpf last warned about since the reset ("prog 'NAME': ..."), or NULL */
const char *libbpf_log_failed_prog(void);

#endif /* FDW_LIBBPF_LOG_H */
