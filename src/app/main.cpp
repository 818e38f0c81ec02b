// ursync's entry point: a trampoline into the library (tests link the same code).
#include <string>
#include <vector>

#include "app/app.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    return ursync::app::run(args);
}
