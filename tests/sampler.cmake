# The BPF sampler on the real kernel, as root: accuracy on a workload with a known 50/30/20
# split (-- CMD and -p), short-lived processes named, signals leave nothing attached, errors
# (not root, rate too high), modes, and `profile`. Skipped (77) only where the kernel refuses.
foreach(t command pid short-lived signals errors modes profile ci-gate)
  add_test(NAME sampler_${t} COMMAND bash ${TESTS_DIR}/scripts/sampler_tests.sh ${SCORCH_BIN}
           $<TARGET_FILE:scorch-truth> ${t})
  set_tests_properties(sampler_${t} PROPERTIES LABELS "sampler" SKIP_RETURN_CODE 77
                       TIMEOUT 60 RUN_SERIAL TRUE)
endforeach()
