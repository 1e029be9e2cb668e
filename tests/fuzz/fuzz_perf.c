/* Fuzz target: the perf converter, with every option combination (the first byte). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collapse_opts o = { 0 };
	fuzz_opts(&data, &size, &o);
	fuzz_parse_and_fold(data, size, perf_collapse, &o);
	return 0;
}
