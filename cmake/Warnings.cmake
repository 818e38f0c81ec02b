# Warning flags for ursync's own targets, as an INTERFACE library every target links.
add_library(ursync_warnings INTERFACE)
target_compile_options(ursync_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  -Wno-missing-field-initializers)
if(URSYNC_WERROR)
  target_compile_options(ursync_warnings INTERFACE -Werror)
endif()
# GCC 12 reports impossible overlaps in std::string concatenation at -O3 (GCC bug 105329, a
# false positive in libstdc++'s char_traits::copy); the diagnostic is off for that compiler only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(ursync_warnings INTERFACE -Wno-restrict)
endif()
# Under ASan/UBSan instrumentation GCC's -Wmaybe-uninitialized fires inside libstdc++
# (std::regex's std::function state); it is unreliable there, so the sanitizer build drops it.
if(URSYNC_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(ursync_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
