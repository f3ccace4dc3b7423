// The headless command line; everything it does lives in ui/cli and dgnam_core.
#include "cli.h"

int main(int argc, char** argv) { return dgnam::cli::run(argc, argv); }
