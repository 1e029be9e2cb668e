# Run queues: the unit test of the cfs_rq layout chosen from BTF (old and new kernels) and of
# the per-CPU statistics and verdict. The real-kernel runs (beside bpftrace) are in
# tests/offcpu.cmake's script.
if(NOT SCORCH_SAMPLER)
  return()
endif()
scorch_unit_test(test_runq ${TESTS_DIR}/test_runq.c)
target_link_libraries(test_runq PRIVATE scorch_sampler)
set_tests_properties(test_runq PROPERTIES LABELS "sanitize;unit")
