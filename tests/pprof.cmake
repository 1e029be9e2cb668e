# pprof and speedscope out, pprof in: against Go's own pprof tool and runtime/pprof, and
# speedscope's own schema (tests/scripts/pprof_tests.sh says what each case checks).
foreach(case go-flamegraph go-runtime errors speedscope)
  add_test(NAME pprof_${case} COMMAND bash ${TESTS_DIR}/scripts/pprof_tests.sh ${SCORCH_BIN}
           ${TESTS_DIR}/data ${case})
  set_tests_properties(pprof_${case} PROPERTIES LABELS "sanitize;pprof")
endforeach()
