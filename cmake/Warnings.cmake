# Warning flags for ursync's own targets, as an INTERFACE library every target links.
add_library(ursync_warnings INTERFACE)
target_compile_options(ursync_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  -Wno-missing-field-initializers)
if(URSYNC_WERROR)
  target_compile_options(ursync_warnings INTERFACE -Werror)
endif()
