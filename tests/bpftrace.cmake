# `scorch collapse` on bpftrace map dumps: golden files for real dumps and for every shape
# (tests/data/bpftrace/README.md), with default options, --kernel and --addrs, and a check
# that total counts are preserved, computed independently with awk.
set(BT_DATA ${TESTS_DIR}/data/bpftrace)
set(BT_OUT ${CMAKE_BINARY_DIR}/tests/bpftrace)
file(MAKE_DIRECTORY ${BT_OUT})
file(GLOB BT_DUMPS ${BT_DATA}/*.bt)
foreach(dump ${BT_DUMPS})
  get_filename_component(base ${dump} NAME_WE)
  foreach(variant default kernel addrs)
    if(variant STREQUAL default)
      set(args "collapse ${dump}")
      set(expected ${BT_DATA}/${base}.expected)
    else()
      set(args "collapse --${variant} ${dump}")
      set(expected ${BT_DATA}/${base}-${variant}.expected)
    endif()
    add_test(NAME bt_${base}_${variant} COMMAND ${CMAKE_COMMAND} -DSCORCH=${SCORCH_BIN}
             "-DARGS=${args}" -DEXPECTED=${expected} -DOUT=${BT_OUT}/${base}-${variant}.out
             -P ${TESTS_DIR}/scripts/golden.cmake)
    set_tests_properties(bt_${base}_${variant} PROPERTIES LABELS "sanitize;collapse;bpftrace")
  endforeach()
  add_test(NAME bt_${base}_totals COMMAND sh ${TESTS_DIR}/scripts/bt_totals.sh ${SCORCH_BIN} ${dump})
  set_tests_properties(bt_${base}_totals PROPERTIES LABELS "sanitize;collapse;bpftrace")
endforeach()

# Diagnostics and notes of the hand-written dump: exact stderr.
add_test(NAME bt_diagnostics COMMAND ${CMAKE_COMMAND} -DSCORCH=${SCORCH_BIN}
         -DINPUT=${BT_DATA}/shapes.bt -P ${TESTS_DIR}/scripts/bt_diagnostics.cmake)
set_tests_properties(bt_diagnostics PROPERTIES LABELS "sanitize;collapse;bpftrace")
