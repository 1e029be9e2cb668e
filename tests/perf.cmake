# `scorch collapse` on perf script output: FlameGraph's own suite (13 inputs x 6 options, the
# loop of its test.sh), the default options, --event-filter, gzip and stdin input. Every case
# must match stackcollapse-perf.pl byte for byte. Data: tests/data/perf/README.md.
set(PERF_DATA ${TESTS_DIR}/data/perf)
set(PERF_OUT ${CMAKE_BINARY_DIR}/tests/perf)
file(MAKE_DIRECTORY ${PERF_OUT})
function(perf_golden name args expected)
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -DSCORCH=${SCORCH_BIN} "-DARGS=${args}"
           -DEXPECTED=${expected} -DOUT=${PERF_OUT}/${name}.out ${ARGN}
           -P ${TESTS_DIR}/scripts/golden.cmake)
  set_tests_properties(${name} PROPERTIES LABELS "sanitize;collapse;perf")
endfunction()

file(GLOB PERF_INPUTS ${PERF_DATA}/*.txt)
foreach(input ${PERF_INPUTS})
  get_filename_component(base ${input} NAME_WE)
  foreach(opt pid tid kernel jit all addrs)
    perf_golden(perf_${base}_${opt} "collapse --${opt} ${input}"
                ${PERF_DATA}/results/${base}-collapsed-${opt}.txt)
  endforeach()
  perf_golden(perf_${base}_default "collapse ${input}" ${PERF_DATA}/default/${base}-collapsed.txt)
endforeach()
perf_golden(perf_event_filter
            "collapse --event-filter instructions ${PERF_DATA}/perf-cycles-instructions-01.txt"
            ${PERF_DATA}/default/perf-cycles-instructions-01-collapsed-instructions.txt)
perf_golden(perf_gzip_all "collapse --all ${PERF_DATA}/example-perf-stacks.txt.gz"
            ${PERF_DATA}/default/example-perf-stacks-collapsed-all.txt)
perf_golden(perf_stdin_forced "collapse --format perf --kernel"
            ${PERF_DATA}/results/perf-dd-stacks-01-collapsed-kernel.txt
            -DSTDIN=${PERF_DATA}/perf-dd-stacks-01.txt)

# A line that is neither a sample header nor a frame is reported as FILE:LINE and skipped.
add_test(NAME perf_bad_line COMMAND ${CMAKE_COMMAND} -DSCORCH=${SCORCH_BIN}
         -DINPUT=${PERF_DATA}/bad/bad-line.perf -P ${TESTS_DIR}/scripts/perf_bad_line.cmake)
set_tests_properties(perf_bad_line PROPERTIES LABELS "sanitize;collapse;perf")
