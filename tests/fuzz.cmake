# Fuzz targets, one per parser or writer of untrusted data (tests/fuzz/fuzz_*.c). Normally
# each links a small driver and ctest replays its corpus (seeds from tests/data, findings in
# tests/fuzz/regress/NAME) under the ASan+UBSan pass (label sanitize); with
# -DSCORCH_FUZZ=ON (clang) they link libFuzzer for campaigns: scripts/fuzz.sh.
set(FUZZ_CORPUS_perf ${TESTS_DIR}/data/perf ${TESTS_DIR}/data/perf/default)
set(FUZZ_CORPUS_bpftrace ${TESTS_DIR}/data/bpftrace)
set(FUZZ_CORPUS_folded ${TESTS_DIR}/data/perf/results ${TESTS_DIR}/data/diff)
set(FUZZ_CORPUS_render ${TESTS_DIR}/data/perf/results ${TESTS_DIR}/data/diff)
set(FUZZ_CORPUS_symmaps ${TESTS_DIR}/data/kallsyms.txt)
set(FUZZ_CORPUS_pprof ${TESTS_DIR}/data/pprof)
foreach(t perf bpftrace folded render symmaps pprof)
  if(SCORCH_FUZZ)
    add_executable(fuzz_${t} ${TESTS_DIR}/fuzz/fuzz_${t}.c)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(fuzz_${t} ${TESTS_DIR}/fuzz/fuzz_${t}.c ${TESTS_DIR}/fuzz/driver.c)
  endif()
  target_include_directories(fuzz_${t} PRIVATE ${TESTS_DIR}/fuzz)
  target_link_libraries(fuzz_${t} PRIVATE scorch_symbolize scorch_render scorch_collapse)
  if(NOT SCORCH_FUZZ)
    add_test(NAME fuzz_${t}_corpus COMMAND fuzz_${t} ${FUZZ_CORPUS_${t}} ${TESTS_DIR}/fuzz/regress/${t})
    set_tests_properties(fuzz_${t}_corpus PROPERTIES LABELS "sanitize;fuzz")
  endif()
endforeach()
