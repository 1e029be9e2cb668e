/* Fuzz target: pprof input (profile.proto, ungzipped), then the pprof and speedscope writers
 * over what was read. */
#include "fuzz_common.h"
#include "pprof.h"
#include "speedscope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the length picks the sample type: none (cpu or the first), or one by name; no byte is
	 * taken, so seeds are whole profiles */
	static const char *const types[] = { NULL, "samples", "cpu", "before", "" };
	const char *type = types[size % 5];
	struct profile *p = prof_new();
	if (p && pprof_read(p, data, size, "fuzz", type) == 0) {
		FILE *f = fopen("/dev/null", "w");
		char err[256];
		pprof_detect(data, size, size % 2);
		fold_write(p, f);
		pprof_write(p, &(struct pprof_meta){ .hz = 99 }, f, err, sizeof(err));
		speedscope_write(p, &(struct speedscope_meta){ .per_process = true }, f);
		fclose(f);
	}
	prof_free(p);
	return 0;
}
