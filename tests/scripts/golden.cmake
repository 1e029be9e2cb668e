# Golden test: runs `${SCORCH} ARGS...` (ARGS is a ;-list) and compares stdout byte for byte
# with EXPECTED. With STDIN set, that file is fed on standard input.
separate_arguments(args UNIX_COMMAND "${ARGS}")
if(DEFINED STDIN)
  execute_process(COMMAND ${SCORCH} ${args} INPUT_FILE ${STDIN} RESULT_VARIABLE rc
                  OUTPUT_FILE ${OUT} ERROR_VARIABLE err)
else()
  execute_process(COMMAND ${SCORCH} ${args} RESULT_VARIABLE rc OUTPUT_FILE ${OUT}
                  ERROR_VARIABLE err)
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "scorch ${ARGS}: exit ${rc}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${EXPECTED} RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  execute_process(COMMAND diff -u ${EXPECTED} ${OUT} OUTPUT_VARIABLE d)
  string(SUBSTRING "${d}" 0 3000 d)
  message(FATAL_ERROR "scorch ${ARGS}: output differs from ${EXPECTED}\n${d}")
endif()
