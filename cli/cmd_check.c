/* PLACEHOLDER: `scorch check` is being written; see its issue. */
#include "cli.h"
int cmd_check(int argc, char **argv)
{
	cli_err("check", "not implemented yet");
	return EXIT_USAGE;
}
