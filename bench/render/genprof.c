/* Deterministic generator of a large folded profile for the render benchmarks: N unique
 * stacks (default 30,000) of long C++, Rust and kernel names, shaped like a real profile
 * (stacks share prefixes: a random walk down a fixed call graph), from a fixed seed.
 *   genprof [STACKS] [SEED] > profile.folded */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static const char *const ns[] = { "std", "boost::asio", "folly", "absl", "grpc::internal",
	"mozilla::dom", "v8::internal", "llvm", "clang::Sema", "tokio::runtime", "core::ptr",
	"alloc::vec", "hyper::proto::h1", "serde_json::de", "rayon_core::registry" };
static const char *const types[] = { "vector<std::basic_string<char, std::char_traits<char>, std::allocator<char> > >",
	"unordered_map<unsigned long, std::shared_ptr<Session>>", "Future<Output = Result<(), Error>>",
	"HashMap<String, Vec<u8>, RandomState>", "basic_string_view<char>", "Arc<Mutex<State>>",
	"RefCell<Option<Box<dyn Fn(&mut Context) -> Poll<()>>>>", "DenseMap<const Value*, unsigned int>" };
static const char *const verbs[] = { "process", "handle", "dispatch", "poll", "encode", "decode",
	"parse", "serialize", "flush", "lookup", "insert", "drop_in_place", "run", "visit",
	"emit", "resolve", "compile", "schedule", "read_buf", "write_all" };
static const char *const kernel[] = { "entry_SYSCALL_64_after_hwframe", "do_syscall_64",
	"__x64_sys_write", "ksys_write", "vfs_write", "new_sync_write", "sock_write_iter",
	"tcp_sendmsg", "tcp_sendmsg_locked", "tcp_push", "__tcp_push_pending_frames",
	"tcp_write_xmit", "__tcp_transmit_skb", "ip_queue_xmit", "__ip_queue_xmit",
	"ip_finish_output2", "__dev_queue_xmit", "asm_exc_page_fault", "exc_page_fault",
	"do_user_addr_fault", "handle_mm_fault", "__handle_mm_fault", "do_anonymous_page",
	"clear_page_erms", "asm_sysvec_apic_timer_interrupt", "hrtimer_interrupt" };

#define NFUNCS 6000
#define MAXCALLEES 6

static char *names[NFUNCS];
static unsigned callees[NFUNCS][MAXCALLEES];
static unsigned ncallees[NFUNCS];

int main(int argc, char **argv)
{
	unsigned stacks = argc > 1 ? (unsigned)atoi(argv[1]) : 30000;
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
	char buf[512];
	for (unsigned i = 0; i < NFUNCS; i++) {
		unsigned kind = pick(10);
		if (kind < 6)
			snprintf(buf, sizeof(buf), "%s::%s::%s_%u(%s const&, unsigned long)",
				 ns[pick(15)], types[pick(8)], verbs[pick(20)], i, types[pick(8)]);
		else if (kind < 9)
			snprintf(buf, sizeof(buf), "%s::%s<%s>::%s_%u", ns[9 + pick(6)], verbs[pick(20)],
				 types[pick(8)], verbs[pick(20)], i);
		else
			snprintf(buf, sizeof(buf), "%s_%u_[k]", kernel[pick(26)], i);
		names[i] = strdup(buf);
		ncallees[i] = 1 + pick(MAXCALLEES);
		for (unsigned k = 0; k < ncallees[i]; k++)
			callees[i][k] = pick(NFUNCS);
	}
	/* unique stacks: random walks from a few roots; duplicates are skipped by extending
	 * the walk with a distinct leaf index */
	for (unsigned s = 0; s < stacks; s++) {
		unsigned depth = 6 + pick(14);
		unsigned f = pick(8);
		fputs("app", stdout);
		for (unsigned d = 0; d < depth; d++) {
			putchar(';');
			fputs(names[f], stdout);
			f = callees[f][pick(ncallees[f])];
		}
		/* a distinct leaf per stack keeps all stacks unique */
		printf(";%s_leaf%u %u\n", names[f], s, 1 + (unsigned)(rnd() % 1000 < 900 ? pick(10) : pick(5000)));
	}
	return 0;
}
