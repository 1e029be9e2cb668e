# Symbolization: a fixture process with functions of every kind (plain, static, inlined, C++-
# and Rust-mangled, JIT) resolved by address, before and after it exits; libc opened once for
# two processes; kernel symbols from a kallsyms fixture.
add_executable(symtest ${TESTS_DIR}/fixtures/symtest.c)
# the inlined label address is returned on purpose: it marks a point in inlined code
target_compile_options(symtest PRIVATE -O1 -g -fno-omit-frame-pointer -Wno-return-local-addr)
scorch_unit_test(test_sym ${TESTS_DIR}/test_sym.c)
add_dependencies(test_sym symtest)
set_tests_properties(test_sym PROPERTIES LABELS "sanitize;unit;sym")
set_property(TEST test_sym PROPERTY ENVIRONMENT "SYMTEST=$<TARGET_FILE:symtest>")
