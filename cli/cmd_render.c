/* PLACEHOLDER: `scorch render` is being written; see its issue. */
#include "cli.h"
int cmd_render(int argc, char **argv)
{
	cli_err("render", "not implemented yet");
	return EXIT_USAGE;
}
