# Sourced by the build scripts: compile through ccache when it is installed (install-deps.sh
# installs it), so that CI, which builds a fresh clone three times (Release, ASan, fuzz) on a
# machine that built the same sources before, recompiles only what changed. Paths are taken
# relative to the checkout (CCACHE_BASEDIR) and the working directory is left out of the hash
# (CCACHE_NOHASHDIR), so a clone in another folder hits the same cache entries. Without ccache
# nothing changes. CMake reads CMAKE_CXX_COMPILER_LAUNCHER from the environment when a build
# directory is configured the first time.
if command -v ccache >/dev/null 2>&1 && [ -z "${URSYNC_NO_CCACHE:-}" ]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-ccache}
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd -P)}
  export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
fi
