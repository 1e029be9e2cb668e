/* Fuzz target: the perf converter, with every option combination (the first byte). */
#include "fuzz_common.h"
#include "profile.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collapse_opts o = { 0 };
	fuzz_opts(&data, &size, &o);
	struct profile *p = prof_new();
	struct line_reader *lr;
	if (p && lr_open_mem(&lr, (const char *)data, size, "fuzz") == 0) {
		if (perf_collapse(p, lr, &o) == 0) {
			FILE *f = fopen("/dev/null", "w");
			fold_write(p, f);
			fclose(f);
		}
		lr_close(lr);
	}
	prof_free(p);
	return 0;
}
