// Prints the options table of docs/compat.md (generated from src/cli/option_table.cpp): run it
// and paste its output between the table markers when an option's status changes.
#include <iostream>

#include "cli/compat_doc.h"

int main() {
    std::cout << ursync::cli::options_compat_table();
    return 0;
}
