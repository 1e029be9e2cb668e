/* Block line reader and atomic output files. Input is read 1 MiB at a time (gzip streams are
 * inflated through zlib); lines are returned in place inside the block, and a line that spans
 * two blocks is moved to the front before the next read, so there is no copy per line. */
#include "lineio.h"
#include "vec.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define LR_BLOCK (1u << 20)
#define LR_RELEASE (8u << 20)

struct line_reader {
	int fd;
	bool own_fd;
	gzFile gz;
	const char *mem;	/* in-memory input: buf points into it */
	size_t map_len;		/* mem is an mmap of the whole file */
	bool map_part;		/* mem is a part of another reader's mapping (not unmapped) */
	size_t map_released;	/* bytes at the start already given back with MADV_DONTNEED */
	char *buf;
	size_t cap, start, end;
	size_t scanned;		/* bytes after start already searched for a newline */
	bool eof;
	size_t lineno;
	char *name;		/* for FILE:LINE, whole */
};

static int lr_fill(struct line_reader *lr)
{
	if (lr->eof || lr->mem)
		return 0;
	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	if (lr->end == lr->cap) {	/* cap bytes and a NUL */
		size_t room = lr->cap + 1;
		if (vec_grow((void **)&lr->buf, &room, lr->cap * 2 + 1, 1, 1))
			return -ENOMEM;
		lr->cap = room - 1;
	}
	for (;;) {
		ssize_t n;
		if (lr->gz) {
			n = gzread(lr->gz, lr->buf + lr->end, (unsigned)(lr->cap - lr->end));
			if (n < 0) {
				int zerr;
				gzerror(lr->gz, &zerr);
				return zerr == Z_ERRNO ? -errno : -EBADMSG;
			}
		} else {
			n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
		}
		if (n == 0)
			lr->eof = true;
		lr->end += (size_t)n;
		return (int)(n > 0);
	}
}

static int lr_init(struct line_reader **out, int fd, bool own, const char *name)
{
	struct line_reader *lr = calloc(1, sizeof(*lr));
	if (!lr)
		return -ENOMEM;
	lr->fd = fd;
	lr->own_fd = own;
	lr->cap = LR_BLOCK;
	lr->buf = malloc(lr->cap + 1);
	lr->name = strdup(name);
	if (!lr->buf || !lr->name) {
		free(lr->buf);
		free(lr->name);
		free(lr);
		return -ENOMEM;
	}
	/* gzip magic: hand the fd to zlib, which also reads plain data transparently, but only
	 * after checking, so plain input keeps the cheaper read() path */
	int r = lr_fill(lr);
	if (r < 0) {
		lr_close(lr);
		return r;
	}
	if (lr->end >= 2 && (unsigned char)lr->buf[0] == 0x1f && (unsigned char)lr->buf[1] == 0x8b) {
		if (lseek(fd, 0, SEEK_SET) != 0) {
			lr_close(lr);
			return -ESPIPE;	/* gzip on a pipe: ask for a file (or zcat) */
		}
		int dfd = dup(fd);
		lr->gz = dfd >= 0 ? gzdopen(dfd, "rb") : NULL;
		if (!lr->gz) {
			if (dfd >= 0)
				close(dfd);
			lr_close(lr);
			return -ENOMEM;
		}
		gzbuffer(lr->gz, LR_BLOCK);
		lr->start = lr->end = 0;
		lr->eof = false;
		r = lr_fill(lr);
		if (r < 0) {
			lr_close(lr);
			return r;
		}
	}
	*out = lr;
	return 0;
}

int lr_open(struct line_reader **out, const char *path)
{
	if (!path || !strcmp(path, "-"))
		return lr_init(out, STDIN_FILENO, false, "<stdin>");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A regular file is mapped whole: lines are then read in place with no copy out of the
	 * page cache (the copy was 15% of `collapse` on perf script input). Gzip files and
	 * anything that cannot be mapped take the read() path. */
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 2 &&
	    (uint64_t)st.st_size <= SIZE_MAX / 2) {
		size_t size = (size_t)st.st_size;
		void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			const unsigned char *b = m;
			if (!(b[0] == 0x1f && b[1] == 0x8b)) {
				madvise(m, size, MADV_SEQUENTIAL);
				int r = lr_open_mem(out, m, size, path);
				if (r) {
					munmap(m, size);
					close(fd);
					return r;
				}
				(*out)->map_len = size;
				close(fd);
				return 0;
			}
			munmap(m, size);
		}
	}
	int r = lr_init(out, fd, true, path);
	if (r < 0)
		close(fd);
	return r;
}

int lr_open_mem(struct line_reader **out, const char *data, size_t len, const char *name)
{
	struct line_reader *lr = calloc(1, sizeof(*lr));
	if (!lr)
		return -ENOMEM;
	lr->fd = -1;
	lr->mem = data;
	lr->buf = (char *)data;
	lr->cap = lr->end = len;
	lr->eof = true;
	if (!(lr->name = strdup(name ? name : "<memory>"))) {
		free(lr);
		return -ENOMEM;
	}
	*out = lr;
	return 0;
}

void lr_close(struct line_reader *lr)
{
	if (!lr)
		return;
	if (lr->gz)
		gzclose(lr->gz);
	if (lr->own_fd && lr->fd >= 0)
		close(lr->fd);
	if (lr->map_len && !lr->map_part)
		munmap((void *)lr->mem, lr->map_len);
	else if (!lr->mem)
		free(lr->buf);
	free(lr->name);
	free(lr);
}

int lr_next(struct line_reader *lr, const char **line, size_t *len)
{
	for (;;) {
		char *s = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		/* a long line arriving in many reads is searched once, not once per read */
		char *nl = avail > lr->scanned ? memchr(s + lr->scanned, '\n', avail - lr->scanned)
					       : NULL;
		if (nl) {
			*line = s;
			*len = (size_t)(nl - s);
			lr->start += *len + 1;
			lr->scanned = 0;
			lr->lineno++;
			/* give consumed pages of a mapped file back, so resident memory stays flat
			 * however large the input (the previous line is no longer valid anyway) */
			if (lr->map_len && lr->start - lr->map_released > LR_RELEASE) {
				/* whole blocks between what was given back and this line (by address:
				 * a part of a mapping starts anywhere; its pages hold only what was
				 * read, and a page dropped from a read-only private mapping reads back
				 * from the file if another reader wants it) */
				uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
				uintptr_t from = ((uintptr_t)lr->mem + lr->map_released + page - 1) &
						 ~(page - 1);
				uintptr_t upto = (uintptr_t)s & ~(uintptr_t)(LR_BLOCK - 1);
				if (upto > from) {
					madvise((void *)from, upto - from, MADV_DONTNEED);
					lr->map_released = (size_t)(upto - (uintptr_t)lr->mem);
				}
			}
			return 1;
		}
		if (lr->eof) {
			if (!avail)
				return 0;
			/* last line without a newline */
			*line = s;
			*len = avail;
			lr->start = lr->end;
			lr->scanned = 0;
			lr->lineno++;
			return 1;
		}
		lr->scanned = avail;
		int r = lr_fill(lr);
		if (r < 0)
			return r;
	}
}

long lr_peek(struct line_reader *lr, const char **data, size_t max)
{
	while (!lr->eof && lr->end - lr->start < max && lr->end < lr->cap) {
		int r = lr_fill(lr);
		if (r < 0)
			return r;
	}
	*data = lr->buf + lr->start;
	size_t avail = lr->end - lr->start;
	return (long)(avail < max ? avail : max);
}

int lr_slurp(struct line_reader *lr, const char **data, size_t *len)
{
	while (!lr->eof) {
		int r = lr_fill(lr);
		if (r < 0)
			return r;
	}
	*data = lr->buf + lr->start;
	*len = lr->end - lr->start;
	return 0;
}

size_t lr_lineno(const struct line_reader *lr)
{
	return lr->lineno;
}

void lr_set_line_base(struct line_reader *lr, size_t base)
{
	lr->lineno = base;
}

int lr_open_part(struct line_reader **out, const struct line_reader *whole, const char *data,
		 size_t len)
{
	int r = lr_open_mem(out, data, len, whole->name);
	if (!r && whole->map_len) {
		(*out)->map_len = len;	/* pages behind it are given back as it reads */
		(*out)->map_part = true;
	}
	return r;
}

const char *lr_mapped(const struct line_reader *lr, size_t *len)
{
	if (!lr->map_len || lr->start || lr->map_released)
		return NULL;
	*len = lr->end;
	return lr->mem;
}

const char *lr_name(const struct line_reader *lr)
{
	return lr->name;
}

static bool private_new_files;

void aout_private_new_files(bool on)
{
	private_new_files = on;
}

int aout_open(struct atomic_out *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		return 0;
	}
	/* Only a regular file (or a new one) is replaced atomically: renaming a temporary file
	 * over /dev/null, a FIFO or a terminal would replace the device itself. */
	struct stat st, lst;
	bool exists = stat(path, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		o->fp = fopen(path, "w");
		if (!o->fp)
			return -errno;
		o->direct = true;
		return 0;
	}
	/* A link to a file: the file is replaced, the link stays. Not a link someone else
	 * planted in a sticky world-writable directory (/tmp), as fs.protected_symlinks says. */
	char *real = NULL;
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
		struct stat dst;
		if (!dir)
			return -ENOMEM;
		if (slash)
			slash[slash == dir] = '\0';
		bool sticky = stat(slash ? dir : ".", &dst) == 0 && (dst.st_mode & S_ISVTX) &&
			      (dst.st_mode & S_IWOTH);
		free(dir);
		if (sticky && lst.st_uid != geteuid() && lst.st_uid != dst.st_uid)
			return -EPERM;
		if (!exists)
			return -ENOENT;	/* a dangling link: no place to write */
		if (!(real = realpath(path, NULL)))
			return -errno;
		path = real;
	}
	size_t n = strlen(path) + 32;
	o->path = strdup(path);
	free(real);
	path = o->path;
	o->tmp_path = malloc(n);
	if (!o->path || !o->tmp_path) {
		aout_abort(o);
		return -ENOMEM;
	}
	snprintf(o->tmp_path, n, "%s.tmp.XXXXXX", path);
	int fd = mkostemp(o->tmp_path, O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;
		free(o->tmp_path);
		o->tmp_path = NULL;
		aout_abort(o);
		return err;
	}
	/* mkostemp makes 0600 files; an output should look like any file the user writes, or
	 * keep the mode of the file it replaces; a root recording's new files stay 0600, as
	 * perf's do (they show every process's stacks) */
	mode_t mask = umask(0);
	umask(mask);
	if (exists) {
		fchmod(fd, st.st_mode & 07777);
		if (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid)) {
			/* the owner cannot be kept (root squash): the mode still applies */
		}
	} else if (!private_new_files) {
		fchmod(fd, 0666 & ~mask);
	}
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		int err = -errno;
		close(fd);
		aout_abort(o);
		return err;
	}
	setvbuf(o->fp, NULL, _IOFBF, 1u << 20);
	return 0;
}

int aout_commit(struct atomic_out *o)
{
	int err = 0;
	if (!o->fp)
		return -EBADF;
	if (fflush(o->fp) || ferror(o->fp))
		err = -(errno ? errno : EIO);
	if (o->fp == stdout) {
		o->fp = NULL;
		return err;
	}
	if (o->direct) {
		if (fclose(o->fp) && !err)
			err = -(errno ? errno : EIO);
		o->fp = NULL;
		return err;
	}
	if (!err && fsync(fileno(o->fp)) && errno != EINVAL)
		err = -errno;
	if (fclose(o->fp) && !err)
		err = -(errno ? errno : EIO);
	o->fp = NULL;
	if (!err && rename(o->tmp_path, o->path))
		err = -errno;
	if (err) {
		aout_abort(o);
		return err;
	}
	free(o->tmp_path);
	free(o->path);
	o->tmp_path = o->path = NULL;
	return 0;
}

void aout_abort(struct atomic_out *o)
{
	if (o->fp && o->fp != stdout)
		fclose(o->fp);
	o->direct = false;
	o->fp = NULL;
	if (o->tmp_path)
		unlink(o->tmp_path);
	free(o->tmp_path);
	free(o->path);
	o->tmp_path = o->path = NULL;
}
