/* PLACEHOLDER: `scorch profile` is being written; see its issue. */
#include "cli.h"
int cmd_profile(int argc, char **argv)
{
	cli_err("profile", "not implemented yet");
	return EXIT_USAGE;
}
