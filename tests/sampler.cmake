# The BPF sampler on the real kernel, as root: accuracy on a workload with a known 50/30/20
# split (-- CMD and -p), short-lived processes named, signals leave nothing attached, errors
# (not root, rate too high), modes, `profile`, the CI gate; children followed, the command's
# output kept out of the profile, -d and -p ending on time, kernel frame names, lost stacks
# marked, exit codes, a second Ctrl-C, tiny maps, SIGKILL, and a 60 s fork-heavy soak.
# Skipped (77) only where the kernel refuses BPF or perf events (probed without scorch).
if(NOT SCORCH_SAMPLER)
  return()
endif()
foreach(t command pid short-lived signals errors modes profile ci-gate children stdout deadline
          pid-exit kernel-names lost-stacks exit-codes second-signal tiny-maps sigkill soak outputs hostile-comm
          formats push)
  add_test(NAME sampler_${t} COMMAND bash ${TESTS_DIR}/scripts/sampler_tests.sh ${SCORCH_BIN}
           $<TARGET_FILE:scorch-truth> ${t})
  set_tests_properties(sampler_${t} PROPERTIES LABELS "sampler" SKIP_RETURN_CODE 77
                       TIMEOUT 120 RUN_SERIAL TRUE)
endforeach()

# --call-graph dwarf on the real kernel: shared/workloads' truth-leaf.c built without and with
# frame pointers, execer.c, Debian's python3 beside perf --call-graph dwarf (tests/scripts/
# unwind_tests.sh says what each asserts).
add_executable(truth-leaf-nofp ${TESTS_DIR}/fixtures/truth-leaf.c)
target_compile_options(truth-leaf-nofp PRIVATE -O2 -g -fomit-frame-pointer)
add_executable(truth-leaf-fp ${TESTS_DIR}/fixtures/truth-leaf.c)
target_compile_options(truth-leaf-fp PRIVATE -O2 -g -fno-omit-frame-pointer)
add_executable(execer ${TESTS_DIR}/fixtures/execer.c)
target_compile_options(execer PRIVATE -O2 -g)
foreach(t no-frame-pointers frame-pointers python exited dd exec failures cache-vs-libdw)
  add_test(NAME unwind_${t} COMMAND bash ${TESTS_DIR}/scripts/unwind_tests.sh ${SCORCH_BIN}
           $<TARGET_FILE_DIR:truth-leaf-nofp> ${t})
  set_tests_properties(unwind_${t} PROPERTIES LABELS "sampler;unwind" SKIP_RETURN_CODE 77
                       TIMEOUT 90 RUN_SERIAL TRUE)
endforeach()
# the unwinder reads stack bytes from every process: its check also runs under ASan+UBSan
set_property(TEST unwind_cache-vs-libdw APPEND PROPERTY LABELS sanitize)
