/* PLACEHOLDER: `scorch record` is being written; see its issue. */
#include "cli.h"
int cmd_record(int argc, char **argv)
{
	cli_err("record", "not implemented yet");
	return EXIT_USAGE;
}
