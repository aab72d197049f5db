// SPDX-License-Identifier: GPL-2.0
#include <unistd.h>

#include "output_capture.h"

int output_capture_begin(struct output_capture *c)
{
	c->tmp = NULL;
	c->saved_fd = -1;
	if (fflush(stdout))
		return -1;
	c->tmp = tmpfile();
	if (!c->tmp)
		return -1;
	c->saved_fd = dup(STDOUT_FILENO);
	if (c->saved_fd < 0 || dup2(fileno(c->tmp), STDOUT_FILENO) < 0) {
		if (c->saved_fd >= 0)
			close(c->saved_fd);
		fclose(c->tmp);
		c->tmp = NULL;
		c->saved_fd = -1;
		return -1;
	}
	return 0;
}

int output_capture_end(struct output_capture *c, bool keep)
{
	char buf[1 << 16];
	size_t n;
	int err = 0;

	if (!c->tmp)
		return 0;
	fflush(stdout);
	dup2(c->saved_fd, STDOUT_FILENO);
	close(c->saved_fd);
	if (keep) {
		rewind(c->tmp);
		while ((n = fread(buf, 1, sizeof(buf), c->tmp)) > 0)
			if (fwrite(buf, 1, n, stdout) != n) {
				err = -1;
				break;
			}
		if (ferror(c->tmp) || fflush(stdout))
			err = -1;
	}
	fclose(c->tmp);
	c->tmp = NULL;
	c->saved_fd = -1;
	return err;
}
