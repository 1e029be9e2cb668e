# Continuous mode's payloads within Pyroscope's limits (the HTTP side runs against
# tests/scripts/pyroscope_server.py in sampler_push).
scorch_unit_test(test_push ${TESTS_DIR}/test_push.c)
target_link_libraries(test_push PRIVATE scorch_push)
set_tests_properties(test_push PROPERTIES LABELS "sanitize;unit;push")
