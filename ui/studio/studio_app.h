#pragma once
// The studio's entry point: command line, application identity, the window; and a scripted
// mode (--screenshot FILE --frames N) that shows N frames, saves the whole window and exits,
// so the binary doubles as its own render test.
namespace dgnam::studio {

int run_studio(int argc, char** argv);

}  // namespace dgnam::studio
