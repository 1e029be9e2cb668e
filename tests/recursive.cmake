# --collapse-recursion against stackcollapse-recursive.pl's output (tests/data/recursive),
# and render's option drawing the same graph as the folded result.
set(RECURSIVE_DATA ${TESTS_DIR}/data/recursive)
set(RECURSIVE_OUT ${CMAKE_BINARY_DIR}/tests/recursive)
file(MAKE_DIRECTORY ${RECURSIVE_OUT})
file(GLOB RECURSIVE_EXPECTED ${RECURSIVE_DATA}/*.expected)
foreach(expected ${RECURSIVE_EXPECTED})
  get_filename_component(base ${expected} NAME_WE)
  if(base STREQUAL "edges")
    set(input ${RECURSIVE_DATA}/edges.folded)
  else()
    set(input ${TESTS_DIR}/data/perf/results/${base}.txt)
  endif()
  add_test(NAME recursion_${base} COMMAND ${CMAKE_COMMAND} -DSCORCH=${SCORCH_BIN}
           "-DARGS=collapse --collapse-recursion ${input}" -DEXPECTED=${expected}
           -DOUT=${RECURSIVE_OUT}/${base}.out -P ${TESTS_DIR}/scripts/golden.cmake)
  set_tests_properties(recursion_${base} PROPERTIES LABELS "sanitize;collapse;recursion")
endforeach()
add_test(NAME recursion_render COMMAND bash -c
  "set -e; \"$1\" render --collapse-recursion \"$2\" > \"$3/a.svg\"; \"$1\" collapse --collapse-recursion \"$2\" | \"$1\" render > \"$3/b.svg\"; cmp \"$3/a.svg\" \"$3/b.svg\"; ! cmp -s \"$3/a.svg\" <(\"$1\" render \"$2\")"
  _ ${SCORCH_BIN} ${TESTS_DIR}/data/perf/results/perf-vertx-stacks-01-collapsed-pid.txt ${RECURSIVE_OUT})
set_tests_properties(recursion_render PROPERTIES LABELS "sanitize;render;recursion")
