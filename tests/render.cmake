# `scorch render`: tooltips equal to flamegraph.pl's on FlameGraph's 78 folded files with six
# option sets (expectations made once with flamegraph.pl: tests/data/render/README.md),
# hostile names that must stay well-formed XML, PNG and PDF output, and usage errors.
find_program(PYTHON3 python3 REQUIRED)
file(GLOB RENDER_FOLDED ${TESTS_DIR}/data/perf/results/*.txt)
foreach(opts "" "--inverted" "--reverse" "--countname=ms" "--minwidth=2" "--minwidth=1%")
  string(REPLACE "--" "" tag "${opts}")
  string(REPLACE "=" "-" tag "${tag}")
  string(REPLACE "%" "pct" tag "${tag}")
  if(tag STREQUAL "")
    set(tag default)
  endif()
  add_test(NAME render_titles_${tag}
           COMMAND ${PYTHON3} ${TESTS_DIR}/scripts/svg_titles.py --check ${SCORCH_BIN} "${opts}"
                   ${TESTS_DIR}/data/render/titles ${RENDER_FOLDED})
  set_tests_properties(render_titles_${tag} PROPERTIES LABELS "sanitize;render")
endforeach()

add_test(NAME render_checks COMMAND ${PYTHON3} ${TESTS_DIR}/scripts/render_checks.py ${SCORCH_BIN}
         ${TESTS_DIR}/data)
set_tests_properties(render_checks PROPERTIES LABELS "sanitize;render")
