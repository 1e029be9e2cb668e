# `scorch diff` and `scorch check`: statistics (no false alarm over 200 noisy draws, a real
# shift caught), difffolded.pl goldens compared as sets, exit codes, JSON, the SVG.
scorch_unit_test(test_diff ${TESTS_DIR}/test_diff.c)
set_tests_properties(test_diff PROPERTIES LABELS "sanitize;unit;diff")
add_test(NAME diff_cli COMMAND bash ${TESTS_DIR}/scripts/diff_tests.sh ${SCORCH_BIN} ${TESTS_DIR}/data)
set_tests_properties(diff_cli PROPERTIES LABELS "sanitize;diff")
