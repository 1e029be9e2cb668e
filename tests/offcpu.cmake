# Run queues and off-CPU time on the real kernel, as root: runqlen on an idle machine and with
# 8 CPU-bound processes beside a bpftrace script reading the same field; the off-CPU split
# of tests/fixtures/blocker.c (50/50 between nanosleep and a pipe); errors; and every command
# of the README's "From a bpftrace session to scorch". Skipped (77) only where the kernel
# refuses BPF or perf events (probed without scorch).
if(NOT SCORCH_SAMPLER)
  return()
endif()
add_executable(blocker ${TESTS_DIR}/fixtures/blocker.c)
target_compile_options(blocker PRIVATE -O1 -g -fno-omit-frame-pointer)
foreach(t runqlen-idle runqlen-saturated offcpu-split offcpu-errors walkthrough)
  add_test(NAME sampler_${t} COMMAND bash ${TESTS_DIR}/scripts/offcpu_tests.sh ${SCORCH_BIN}
           $<TARGET_FILE:blocker> ${CMAKE_SOURCE_DIR}/README.md ${t})
  set_tests_properties(sampler_${t} PROPERTIES LABELS "sampler" SKIP_RETURN_CODE 77
                       TIMEOUT 120 RUN_SERIAL TRUE)
endforeach()
