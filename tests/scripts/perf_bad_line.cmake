execute_process(COMMAND ${SCORCH} collapse ${INPUT} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "prog;main;foo 1\n")
  message(FATAL_ERROR "exit ${rc}, output '${out}'")
endif()
if(NOT err STREQUAL "scorch: collapse: ${INPUT}:3: unrecognized line\n")
  message(FATAL_ERROR "stderr '${err}'")
endif()
