# The profile model and folded I/O.
scorch_unit_test(test_profile ${TESTS_DIR}/test_profile.c)
set_tests_properties(test_profile PROPERTIES LABELS "sanitize;unit")

# CLI basics: help, version, usage errors and missing files exit 2.
add_test(NAME cli_basics COMMAND ${CMAKE_COMMAND} -DSCORCH=${SCORCH_BIN}
         -P ${TESTS_DIR}/scripts/cli_basics.cmake)
set_tests_properties(cli_basics PROPERTIES LABELS "sanitize;cli")
