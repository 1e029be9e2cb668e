/* Fuzz target: the parsers of text a process controls, /proc/PID/maps lines and
 * /tmp/perf-PID.map lines (each input line through both). */
#include "sym_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *line = buf, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t n = strlen(line);
		char *copy = malloc(n + 1);
		memcpy(copy, line, n + 1);
		struct maps_line m;
		if (sym_parse_maps_line(copy, &m) && (m.end <= m.start || !m.name))
			abort();
		memcpy(copy, line, n + 1);
		uint64_t start, len;
		char *name;
		if (sym_parse_jit_line(copy, &start, &len, &name) && !name)
			abort();
		free(copy);
	}
	free(buf);
	return 0;
}
