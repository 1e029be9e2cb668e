/* flamegraph.pl's colours: the palettes, the annotation rules of the java/js/perl/chain
 * palettes, --hash's name-weighted hash, the differential red/blue scale, backgrounds, and the
 * --cp palette map. flamegraph.pl's default colouring seeds Perl's rand() with a name sum;
 * scorch seeds its own generator with a name hash instead: the same name gets the same colour
 * in every graph, as there, though not the same shade. */
#include "flame.h"
#include "htab.h"
#include "lineio.h"
#include "vec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t l = strlen(suffix);
	return n >= l && memcmp(s + n - l, suffix, l) == 0;
}

/* namehash of flamegraph.pl: early characters weigh more, at most 3 are used, a module
 * prefix `mod`` is dropped */
static double namehash(const char *s, size_t n, bool reversed)
{
	const char *tick = reversed ? NULL : memchr(s, '`', n);
	size_t start = 0;
	if (tick)
		start = (size_t)(tick - s) + 1;
	double vector = 0, weight = 1, max = 1;
	int mod = 10;
	for (size_t k = start; k < n; k++) {
		unsigned char c = (unsigned char)(reversed ? s[n - 1 - k + start] : s[k]);
		int i = c % mod;
		vector += ((double)i / (mod++ - 1)) * weight;
		max += weight;
		weight *= 0.70;
		if (mod > 12)
			break;
	}
	return 1 - vector / max;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static double unit(uint64_t *state)	/* splitmix64 -> [0,1) */
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static struct rgb mk(int r, int g, int b)
{
	return (struct rgb){ (uint8_t)r, (uint8_t)g, (uint8_t)b };
}

bool palette_known_name(const char *c)
{
	static const char *const names[] = { "hot", "mem", "io", "wakeup", "chain", "java", "js",
					     "perl", "red", "green", "blue", "aqua", "yellow",
					     "purple", "orange" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(c, names[i]))
			return true;
	return false;
}

struct rgb palette_color(const char *type, const char *name, size_t n, bool hash, bool random)
{
	double v1, v2, v3;
	if (hash) {
		v1 = namehash(name, n, false);
		v2 = v3 = namehash(name, n, true);
	} else if (random) {
		v1 = (double)rand() / ((double)RAND_MAX + 1);
		v2 = (double)rand() / ((double)RAND_MAX + 1);
		v3 = (double)rand() / ((double)RAND_MAX + 1);
	} else {
		uint64_t st = fnv1a(name, n);
		v1 = unit(&st);
		v2 = unit(&st);
		v3 = unit(&st);
	}

	if (!strcmp(type, "hot"))
		return mk(205 + (int)(50 * v3), (int)(230 * v1), (int)(55 * v2));
	if (!strcmp(type, "mem"))
		return mk(0, 190 + (int)(50 * v2), (int)(210 * v1));
	if (!strcmp(type, "io")) {
		int r = 80 + (int)(60 * v1);
		return mk(r, r, 190 + (int)(55 * v2));
	}
	/* multi palettes pick a colour palette from the name's annotation or shape */
	if (!strcmp(type, "java")) {
		static const char *const java_pkgs[] = { "java/", "javax/", "jdk/", "net/",
							 "org/", "com/", "io/", "sun/" };
		bool pkg = false;
		for (size_t i = 0; i < sizeof(java_pkgs) / sizeof(java_pkgs[0]); i++) {
			size_t l = strlen(java_pkgs[i]);
			if ((n >= l && !memcmp(name, java_pkgs[i], l)) ||
			    (n >= l + 1 && name[0] == 'L' && !memcmp(name + 1, java_pkgs[i], l)))
				pkg = true;
		}
		if (ends_with(name, n, "_[j]"))
			type = "green";
		else if (ends_with(name, n, "_[i]"))
			type = "aqua";
		else if (pkg || has(name, n, ":::"))
			type = "green";
		else if (has(name, n, "::"))
			type = "yellow";
		else if (ends_with(name, n, "_[k]"))
			type = "orange";
		else
			type = "red";
	} else if (!strcmp(type, "perl")) {
		if (has(name, n, "::"))
			type = "yellow";
		else if (has(name, n, "Perl") || has(name, n, ".pl"))
			type = "green";
		else if (ends_with(name, n, "_[k]"))
			type = "orange";
		else
			type = "red";
	} else if (!strcmp(type, "js")) {
		const char *slash = memchr(name, '/', n);
		if (ends_with(name, n, "_[j]"))
			type = slash ? "green" : "aqua";
		else if (has(name, n, "::"))
			type = "yellow";
		else if (slash && has(slash, n - (size_t)(slash - name), ".js"))
			type = "green";
		else if (memchr(name, ':', n))
			type = "aqua";
		else if (n == 1 && name[0] == ' ')
			type = "green";
		else if (has(name, n, "_[k]"))
			type = "orange";
		else
			type = "red";
	} else if (!strcmp(type, "wakeup")) {
		type = "aqua";
	} else if (!strcmp(type, "chain")) {
		type = has(name, n, "_[w]") ? "aqua" : "blue";
	}

	if (!strcmp(type, "red")) {
		int x = 50 + (int)(80 * v1);
		return mk(200 + (int)(55 * v1), x, x);
	}
	if (!strcmp(type, "green")) {
		int x = 50 + (int)(60 * v1);
		return mk(x, 200 + (int)(55 * v1), x);
	}
	if (!strcmp(type, "blue")) {
		int x = 80 + (int)(60 * v1);
		return mk(x, x, 205 + (int)(50 * v1));
	}
	if (!strcmp(type, "yellow")) {
		int x = 175 + (int)(55 * v1);
		return mk(x, x, 50 + (int)(20 * v1));
	}
	if (!strcmp(type, "purple")) {
		int x = 190 + (int)(65 * v1);
		return mk(x, 80 + (int)(60 * v1), x);
	}
	if (!strcmp(type, "aqua"))
		return mk(50 + (int)(60 * v1), 165 + (int)(55 * v1), 165 + (int)(55 * v1));
	if (!strcmp(type, "orange"))
		return mk(190 + (int)(65 * v1), 90 + (int)(65 * v1), 0);
	return mk(0, 0, 0);
}

struct rgb palette_scale(double value, double max, bool negate)
{
	int r = 255, g = 255, b = 255;
	if (negate)
		value = -value;
	/* counts near 2^1024 make inf and nan deltas: such a change is drawn at full strength
	 * rather than converted to int undefined (found by fuzz_render) */
	double f = max > 0 ? (max - fabs(value)) / max : 0;
	if (!(f >= 0))
		f = 0;
	if (f > 1)
		f = 1;
	if (value > 0)
		g = b = (int)(210 * f);
	else if (value < 0)
		r = g = (int)(210 * f);
	return mk(r, g, b);
}

int palette_background(const char *bg, const char *colors, char c1[8], char c2[8])
{
	if (!bg || !*bg) {
		if (!strcmp(colors, "mem"))
			bg = "green";
		else if (!strcmp(colors, "io") || !strcmp(colors, "wakeup") || !strcmp(colors, "chain"))
			bg = "blue";
		else if (!strcmp(colors, "red") || !strcmp(colors, "green") ||
			 !strcmp(colors, "blue") || !strcmp(colors, "aqua") ||
			 !strcmp(colors, "yellow") || !strcmp(colors, "purple") ||
			 !strcmp(colors, "orange"))
			bg = "grey";
		else
			bg = "yellow";
	}
	static const struct { const char *name, *a, *b; } bgs[] = {
		{ "yellow", "#eeeeee", "#eeeeb0" }, { "blue", "#eeeeee", "#e0e0ff" },
		{ "green", "#eef2ee", "#e0ffe0" }, { "grey", "#f8f8f8", "#e8e8e8" },
	};
	for (size_t i = 0; i < sizeof(bgs) / sizeof(bgs[0]); i++) {
		if (!strcmp(bg, bgs[i].name)) {
			strcpy(c1, bgs[i].a);
			strcpy(c2, bgs[i].b);
			return 0;
		}
	}
	if (bg[0] == '#' && strlen(bg) == 7 && strspn(bg + 1, "0123456789abcdefABCDEF") == 6) {
		strcpy(c1, bg);
		strcpy(c2, bg);
		return 0;
	}
	return -EINVAL;
}

/* --cp: names keep the colour they had in earlier graphs (palette.map, `name->rgb(r,g,b)`) */
struct pm_entry {
	struct htab_name key;	/* first: htab_find_name reads it */
	struct rgb c;
};

struct palette_map {
	struct pm_entry *e;
	size_t n, cap;
	struct htab index;	/* by name: one probe per frame, not a scan */
};

static struct pm_entry *pm_find(struct palette_map *m, const char *name, size_t len, size_t *slot)
{
	long i = htab_find_name(&m->index, m->e, sizeof(*m->e), name, len, slot);
	return i >= 0 ? &m->e[i] : NULL;
}

static int pm_add(struct palette_map *m, const char *name, size_t len, struct rgb c)
{
	size_t j = 0;
	if (pm_find(m, name, len, &j))
		return 0;	/* the first line for a name wins */
	if (vec_grow((void **)&m->e, &m->cap, m->n + 1, sizeof(*m->e), 256))
		return -ENOMEM;
	m->e[m->n] = (struct pm_entry){ .c = c };
	if (htab_name_init(&m->e[m->n].key, name, len))
		return -ENOMEM;
	m->n++;
	return htab_put(&m->index, j, (uint32_t)m->n - 1, m->n, &m->e[0].key.hash,
			sizeof(*m->e));
}

int palette_map_load(struct palette_map **out, const char *path)
{
	struct palette_map *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	*out = m;
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char *arrow = strstr(line, "->");
		unsigned r, g, b;
		if (!arrow || sscanf(arrow + 2, "rgb(%u,%u,%u)", &r, &g, &b) != 3)
			continue;
		pm_add(m, line, (size_t)(arrow - line), mk((int)r, (int)g, (int)b));
	}
	free(line);
	fclose(f);
	return 0;
}

struct rgb palette_map_color(struct palette_map *m, const char *colors, const char *name,
			     size_t len, bool hash, bool random)
{
	size_t j;
	struct pm_entry *e = pm_find(m, name, len, &j);
	if (e)
		return e->c;
	struct rgb c = palette_color(colors, name, len, hash, random);
	pm_add(m, name, len, c);
	return c;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp((*(const struct pm_entry *const *)a)->key.name,
		      (*(const struct pm_entry *const *)b)->key.name);
}

/* sorted by name, as flamegraph.pl writes it; the map itself stays as it is (indexed) */
int palette_map_save(struct palette_map *m, const char *path)
{
	struct atomic_out o;
	struct pm_entry **sorted = malloc((m->n ? m->n : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++)
		sorted[i] = &m->e[i];
	qsort(sorted, m->n, sizeof(*sorted), cmp_entry);
	int err = aout_open(&o, path);
	if (err) {
		free(sorted);
		return err;
	}
	for (size_t i = 0; i < m->n; i++)
		fprintf(o.fp, "%s->rgb(%u,%u,%u)\n", sorted[i]->key.name, sorted[i]->c.r, sorted[i]->c.g,
			sorted[i]->c.b);
	free(sorted);
	return aout_commit(&o);
}

void palette_map_free(struct palette_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].key.name);
	free(m->e);
	htab_free(&m->index);
	free(m);
}
