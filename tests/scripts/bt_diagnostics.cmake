execute_process(COMMAND ${SCORCH} collapse ${INPUT} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
set(want "scorch: collapse: ${INPUT}:35: not part of a map entry
scorch: collapse: ${INPUT}:38: bad map value
scorch: collapse: note: ${INPUT}: skipped @cpu (2 entries): it holds no stacks
scorch: collapse: note: ${INPUT}: skipped @total (1 entry): it holds no stacks
scorch: collapse: note: ${INPUT}: 2 stack maps merged into one profile
")
if(NOT rc EQUAL 0 OR NOT err STREQUAL want)
  message(FATAL_ERROR "exit ${rc}, stderr:\n${err}\nwant:\n${want}")
endif()
# --quiet drops the notes but not the bad lines
execute_process(COMMAND ${SCORCH} collapse -q ${INPUT} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(err MATCHES "note:" OR NOT err MATCHES ":38: bad map value")
  message(FATAL_ERROR "with -q: ${err}")
endif()
# a dump with no stack map at all has nothing usable: exit 2
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/nostack.bt "Attaching 1 probe...\n\n@cpu[0]: 4\n@n: 4\n")
execute_process(COMMAND ${SCORCH} collapse ${CMAKE_CURRENT_BINARY_DIR}/nostack.bt RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "no stacks found" OR NOT out STREQUAL "")
  message(FATAL_ERROR "no-stack dump: exit ${rc}, out '${out}', err '${err}'")
endif()
