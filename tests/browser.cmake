# Real-browser test: Debian's chromium (playwright-core from npm, installed by
# scripts/setup.sh --test into tests/browser/node_modules) opens a scorch SVG, zooms,
# resets, searches via ?s= and Ctrl-F, reopens a zoom from the URL; any page error fails.
find_program(NODE node)
add_test(NAME browser_flamegraph
         COMMAND ${NODE} ${TESTS_DIR}/browser/flame.test.js ${SCORCH_BIN}
                 ${TESTS_DIR}/data/perf/results/perf-java-stacks-01-collapsed-all.txt
         WORKING_DIRECTORY ${TESTS_DIR}/browser)
set_tests_properties(browser_flamegraph PROPERTIES LABELS "browser" TIMEOUT 180)

# speedscope's own offline page (npm speedscope, installed by scripts/setup.sh --test) loads
# three scorch speedscope files; its Sandwich table must match the folded totals.
add_test(NAME browser_speedscope
         COMMAND ${NODE} ${TESTS_DIR}/browser/speedscope.test.js ${SCORCH_BIN}
                 ${TESTS_DIR}/data/perf/results
         WORKING_DIRECTORY ${TESTS_DIR}/browser)
set_tests_properties(browser_speedscope PROPERTIES LABELS "browser" TIMEOUT 180)

# the SVG's callers/callees (sandwich) view and function table, on a profile where f is
# called from a and b: shares, sorting, filtering, links, keyboard
add_test(NAME browser_sandwich
         COMMAND ${NODE} ${TESTS_DIR}/browser/sandwich.test.js ${SCORCH_BIN}
         WORKING_DIRECTORY ${TESTS_DIR}/browser)
set_tests_properties(browser_sandwich PROPERTIES LABELS "browser" TIMEOUT 180)

# render --compact beside the default: tooltips made by the script equal the <title>s, same
# geometry and labels, zoom, search, hover, table; real, differential and hostile inputs
add_test(NAME browser_compact
         COMMAND ${NODE} ${TESTS_DIR}/browser/compact.test.js ${SCORCH_BIN}
                 ${TESTS_DIR}/data/perf/results/perf-java-stacks-01-collapsed-all.txt
                 ${TESTS_DIR}/data/diff/java-01-02.expected
         WORKING_DIRECTORY ${TESTS_DIR}/browser)
set_tests_properties(browser_compact PROPERTIES LABELS "browser" TIMEOUT 180)

# frames too narrow to draw still count in a search's Matched (default and --compact, whole
# and fractional counts), the SVG's own inflate against node's zlib, a damaged scorchTree
add_test(NAME browser_elided
         COMMAND ${NODE} ${TESTS_DIR}/browser/elided.test.js ${SCORCH_BIN}
         WORKING_DIRECTORY ${TESTS_DIR}/browser)
set_tests_properties(browser_elided PROPERTIES LABELS "browser" TIMEOUT 180)
