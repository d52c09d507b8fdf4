# web.cmake — the HTML report's JavaScript, CSS and page template (web/) compiled into the library.
set(ATTN_WEB_FILES ${CMAKE_CURRENT_SOURCE_DIR}/web/report.js ${CMAKE_CURRENT_SOURCE_DIR}/web/report.css
                   ${CMAKE_CURRENT_SOURCE_DIR}/web/template.html)
set(ATTN_WEB_NAMES attn_web_report_js attn_web_report_css attn_web_template_html)
set(ATTN_WEB_C ${CMAKE_CURRENT_BINARY_DIR}/generated/web_assets.c)
add_custom_command(
  OUTPUT ${ATTN_WEB_C}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/generated
  COMMAND ${CMAKE_COMMAND} -DOUT=${ATTN_WEB_C} "-DINPUTS=${ATTN_WEB_FILES}" "-DNAMES=${ATTN_WEB_NAMES}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed.cmake
  DEPENDS ${ATTN_WEB_FILES} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed.cmake
  COMMENT "Embedding web/ into the library"
  VERBATIM)
target_sources(attnscope PRIVATE ${ATTN_WEB_C})
find_package(ZLIB REQUIRED)
target_link_libraries(attnscope PRIVATE ZLIB::ZLIB)
target_link_libraries(attnscope_internal INTERFACE ZLIB::ZLIB)
