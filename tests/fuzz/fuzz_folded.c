/* Fuzz target: folded input (single and differential), written back as folded text. */
#include "collapse.h"
#include "profile.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile *p = prof_new();
	struct line_reader *lr;
	if (p && lr_open_mem(&lr, (const char *)data, size, "fuzz") == 0) {
		if (fold_read(p, lr) == 0) {
			FILE *f = fopen("/dev/null", "w");
			fold_write(p, f);
			fclose(f);
		}
		lr_close(lr);
	}
	prof_free(p);
	return 0;
}
