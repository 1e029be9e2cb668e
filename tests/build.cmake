# The build itself: without kernel BTF, everything but the sampler builds and works.
add_test(NAME build_without_btf COMMAND bash ${TESTS_DIR}/scripts/build_without_btf.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(build_without_btf PROPERTIES LABELS "build" TIMEOUT 600)
