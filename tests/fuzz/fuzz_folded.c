/* Fuzz target: folded input (single and differential), written back as folded text. */
#include "fuzz_common.h"

static int fold_read_opts(struct profile *p, struct line_reader *lr, const struct collapse_opts *o)
{
	return fold_read(p, lr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collapse_opts o = { 0 };
	fuzz_parse_and_fold(data, size, fold_read_opts, &o);
	return 0;
}
