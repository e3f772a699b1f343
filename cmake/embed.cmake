# pc_embed(GROUP FILES OUTPUT): compiles FILES into OUTPUT as
#   const pc_embedded_file_t pc_embedded_<GROUP>[]  (sorted by name, NULL-terminated)
# so the binary needs no files beside it at run time.
function(pc_embed group files output)
  string(REPLACE ";" "|" joined "${files}")
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DGROUP=${group} -DOUTPUT=${output}
            "-DFILES=${joined}" -P ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding ${group} files" VERBATIM)
endfunction()
