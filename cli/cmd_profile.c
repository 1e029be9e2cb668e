/* `scorch profile`: record, then render, in one command (see cmd_record.c). */
#include "cli.h"

int cmd_profile(int argc, char **argv)
{
	return record_main("profile", argc, argv, true);
}
