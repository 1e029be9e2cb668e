# Turns render/flame.js and render/flame.css into C strings (flame_assets.h in the build tree),
# so the SVG writer embeds them. Run with -DJS= -DCSS= -DOUT=.
function(to_c_string var file)
  file(READ ${file} content)
  string(REPLACE "\\" "\\\\" content "${content}")
  string(REPLACE "\"" "\\\"" content "${content}")
  string(REPLACE "\n" "\\n\"\n\"" content "${content}")
  set(${var} "\"${content}\"" PARENT_SCOPE)
endfunction()
to_c_string(js ${JS})
to_c_string(css ${CSS})
file(WRITE ${OUT}.tmp "/* generated from render/flame.js and render/flame.css: do not edit */\nstatic const char flame_js[] =\n${js};\nstatic const char flame_css[] =\n${css};\n")
file(RENAME ${OUT}.tmp ${OUT})
