#pragma once
// The `dgnam` command line: parses arguments and runs the command over dgnam_core.

namespace dgnam::cli {

// Returns the process exit code: 0 on success, 1 for a runtime error (bad file, unknown layer,
// unwritable folder), 2 for malformed arguments. Errors go to stderr as one clear line.
int run(int argc, char** argv);

}  // namespace dgnam::cli
