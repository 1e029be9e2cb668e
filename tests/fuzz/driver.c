/* Runs a fuzz target's LLVMFuzzerTestOneInput over files and directories of inputs, so ctest
 * replays every corpus under the ordinary ASan+UBSan build (no libFuzzer needed); the same
 * target links with -fsanitize=fuzzer for campaigns (scripts/fuzz.sh).
 *   fuzz_NAME FILE|DIR...   exit 0 when every input ran; a sanitizer aborts on a finding */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0, r;
	uint8_t *buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf)
		return -1;
	/* an exact-size copy, so ASan sees a read one past the input */
	uint8_t *exact = malloc(n ? n : 1);
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

int main(int argc, char **argv)
{
	size_t ran = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st)) {
			fprintf(stderr, "%s: no such input\n", argv[i]);
			return 2;
		}
		if (!S_ISDIR(st.st_mode)) {
			ran += run_file(argv[i]) == 0;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char p[4096];
			snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
			if (e->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode))
				ran += run_file(p) == 0;
		}
		if (d)
			closedir(d);
	}
	printf("%zu inputs ran\n", ran);
	return ran ? 0 : 2;
}
