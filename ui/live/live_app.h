#pragma once
// dgnam-live's whole program: the command line, the window and its loop.

namespace dgnam::live {

// Exit codes: 0 success, 1 a bad pack, name or value, or no display (one line on stderr says
// which), 2 malformed arguments.
int run_live(int argc, char** argv);

}  // namespace dgnam::live
