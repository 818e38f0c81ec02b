// ursync's program logic: argv in, exit code out (main() is only a trampoline into this).
#pragma once

#include <span>
#include <string>

namespace ursync::app {

int run(std::span<const std::string> argv);

}  // namespace ursync::app
