/* PLACEHOLDER: `scorch diff` is being written; see its issue. */
#include "cli.h"
int cmd_diff(int argc, char **argv)
{
	cli_err("diff", "not implemented yet");
	return EXIT_USAGE;
}
